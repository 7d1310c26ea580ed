"""Public facilities (clinics, hospitals, police stations, municipal offices) and the nearest
of a kind to a point.
"""
