from imbizo.accounts.models import Role


def test_an_officer_sees_only_their_departments_cases(log_case, make_staff, municipalities,
                                                      department, client):
    aaa, _ = municipalities
    pothole, pipe = log_case("pothole"), log_case("burst-pipe")
    other_town = log_case("pothole", lon=20.35)
    officer = make_staff({"role": Role.OFFICER, "municipality": aaa,
                          "department": department("roads")})
    client.force_login(officer.user)
    page = client.get("/admin/cases/case/").content.decode()
    assert pothole.reference in page
    assert pipe.reference not in page and other_town.reference not in page
    assert client.get(f"/admin/cases/case/{pipe.pk}/change/").status_code == 302
    assert client.post(f"/admin/cases/case/{pothole.pk}/change/",
                       {"status": "closed"}).status_code == 403
