"""Load-shedding: area schedules, the national stage in force and its history, residents'
subscriptions to their area.
"""
