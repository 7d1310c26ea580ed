"""Geography endpoints."""

from ninja import Router, Schema

from imbizo.geo import selectors

router = Router(tags=["geo"])


class Area(Schema):
    code: str
    name: str


class WardOut(Area):
    number: int


class PlaceOut(Schema):
    ward: WardOut
    municipality: Area
    province: Area
    traditional_authority: Area | None


@router.get("/locate", response=PlaceOut, auth=None, summary="Ward and municipality at a point")
def locate(request, lat: float, lon: float):
    return selectors.locate(lat=lat, lon=lon).as_dict()
