"""A long file's preview lists every row with a problem and a first few of the ready ones,
and says how many more are ready: 5,000 rows had made a 700 kB page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

pytestmark = pytest.mark.django_db


def people(count: int, *, bad_line: int) -> bytes:
    rows = ["full_name,email,role"]
    for line in range(2, count + 2):
        email = "not-an-address" if line == bad_line else f"p{line}@x.example"
        rows.append(f"Person {line},{email},observer")
    return "\r\n".join(rows).encode()


def test_a_long_file_lists_its_bad_row_and_counts_the_ready_rows_it_does_not_list(
    secretariat_client, assembly
):
    url = reverse("registration:import", args=[assembly.slug])
    data = people(200, bad_line=180)
    page = secretariat_client.post(url, {"file": SimpleUploadedFile("p.csv", data)})
    html = page.content.decode()
    assert "1 row has errors" in html
    assert "<td>180</td>" in html  # the bad row, far below the first 50
    assert "p51@x.example" in html  # the 50th ready row (lines start at 2)
    assert "p52@x.example" not in html
    assert "149 more rows ready to import are counted above, not listed." in html


def test_a_short_file_lists_every_row(secretariat_client, assembly):
    url = reverse("registration:import", args=[assembly.slug])
    data = people(20, bad_line=0)
    html = secretariat_client.post(url, {"file": SimpleUploadedFile("p.csv", data)})
    html = html.content.decode()
    assert "All 20 rows are ready" in html
    assert "p21@x.example" in html
    assert "not listed" not in html
