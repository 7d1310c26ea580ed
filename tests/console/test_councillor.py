"""The councillor's ward page: their ward's cases with public updates only; read-only,
since the case services do not let a councillor post a public reply."""

from imbizo.cases.lifecycle import case_comment


def test_a_councillor_sees_their_wards_cases_with_public_updates_only(
        staff, console_client, log_case):
    mine = log_case()  # ward 1 of AAA
    elsewhere = log_case(lon=20.15, description="In ward 2")
    case_comment(actor=staff["officer"], case=mine, text="Crew booked for Tuesday",
                 public=True)
    case_comment(actor=staff["officer"], case=mine, text="Supplier owes us money",
                 public=False)
    c = console_client(staff["councillor"])
    landing = c.get("/console/")
    assert landing.status_code == 302 and landing["Location"] == "/console/ward"
    page = c.get("/console/ward").content.decode()
    assert mine.reference in page and elsewhere.reference not in page
    assert "Crew booked for Tuesday" in page and "Supplier owes us money" not in page
    # Read-only: no reply form, and the case page offers none either.
    assert "<textarea" not in page
    case_page = c.get(f"/console/cases/{mine.reference}").content.decode()
    assert "Supplier owes us money" not in case_page and "Send public reply" not in case_page
    response = c.post(f"/console/cases/{mine.reference}/comment-public", {"text": "Hi"})
    assert response.status_code == 400


def test_closed_cases_on_request_and_another_wards_case_is_a_404(staff, console_client,
                                                                  log_case):
    elsewhere = log_case(lon=20.15)
    c = console_client(staff["councillor"])
    assert c.get(f"/console/cases/{elsewhere.reference}").status_code == 404
    assert c.get("/console/ward?all=1").status_code == 200


def test_staff_who_are_no_councillor_are_refused_and_queries_stay_flat(
        staff, console_client, log_case, django_assert_max_num_queries):
    assert console_client(staff["officer"]).get("/console/ward").status_code == 403
    for n in range(5):
        case = log_case(description=f"Hole {n}")
        case_comment(actor=staff["officer"], case=case, text=f"Update {n}", public=True)
    c = console_client(staff["councillor"])
    with django_assert_max_num_queries(8):
        page = c.get("/console/ward").content.decode()
    assert all(f"Update {n}" in page for n in range(5))
