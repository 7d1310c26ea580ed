"""Who represents a resident: ward and PR councillors, ward committee members, traditional
authorities and their councils.
"""
