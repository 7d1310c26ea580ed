"""One package per messaging provider; ``settings.MESSAGING_PROVIDERS`` picks them."""
