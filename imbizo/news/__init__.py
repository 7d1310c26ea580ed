"""News and targeted broadcasts staff compose for a municipality, ward, suburb, drawn zone or
interest group.
"""
