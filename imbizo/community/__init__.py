"""Community meetings and RSVPs, the municipal directory (contacts, forms, links) and share
links.
"""
