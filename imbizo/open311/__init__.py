"""Open311 GeoReport v2: the open standard through which civic apps list services,
report faults and follow them, served beside the REST API (docs/open311.md)."""
