"""Draw the web app's icons (imbizo/web/static/web/icons/): a blue square with a white
speech bubble, the site's colours. Run again after changing the drawing:
``.venv/bin/python tools/make_icons.py``. The icons are committed; the site never draws them.
"""

from pathlib import Path

from PIL import Image, ImageDraw

BLUE, WHITE = (11, 79, 156), (255, 255, 255)
OUT = Path(__file__).resolve().parents[1] / "imbizo" / "web" / "static" / "web" / "icons"


def icon(size: int) -> Image.Image:
    """Drawn on a 100-unit grid; the bubble keeps within the middle 80% so the icon also
    survives being cut to a circle ("maskable")."""
    image = Image.new("RGB", (size, size), BLUE)
    draw = ImageDraw.Draw(image)

    def u(*points: float) -> list[float]:
        return [p * size / 100 for p in points]

    draw.rounded_rectangle(u(22, 26, 78, 66), radius=size * 0.1, fill=WHITE)
    draw.polygon(u(34, 64, 34, 78, 48, 64), fill=WHITE)  # the bubble's tail
    for x in (36, 50, 64):  # three dots: people talking to their municipality
        draw.ellipse(u(x - 4, 42, x + 4, 50), fill=BLUE)
    return image


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        icon(size).save(OUT / f"icon-{size}.png", optimize=True)


if __name__ == "__main__":
    main()
