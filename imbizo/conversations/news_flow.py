"""News in conversations: the actions, option sources and texts its flow uses."""
