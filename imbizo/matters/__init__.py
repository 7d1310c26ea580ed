"""Issues and suggestions a resident raises with their ward councillor, tracked until answered
or referred as a case.
"""
