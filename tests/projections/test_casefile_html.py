"""The readable case file: inert whatever the records hold, complete, the same bytes each time."""

from __future__ import annotations

from html.parser import HTMLParser

from casefile.projections import build_case_file, case_file_html, verification_page
from projections._casefile_cases import prosecution


class _Outline(HTMLParser):
    """Tags, attributes, headings and text of a page, and whether it parsed to the end."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attributes: set[tuple[str, str]] = set()
        self.headings: list[tuple[int, str]] = []
        self.text: list[str] = []
        self._heading: int | None = None
        self._heading_text: list[str] = []
        self.lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for name, value in attrs:
            self.attributes.add((tag, name))
            if tag == "html" and name == "lang":
                self.lang = value
        if tag in {"h1", "h2", "h3", "h4"}:
            self._heading = int(tag[1])
            self._heading_text = []

    def handle_endtag(self, tag: str) -> None:
        if self._heading is not None and tag == f"h{self._heading}":
            self.headings.append((self._heading, "".join(self._heading_text)))
            self._heading = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._heading is not None:
            self._heading_text.append(data)


def outline(page: bytes) -> _Outline:
    parser = _Outline()
    parser.feed(page.decode("utf-8"))
    parser.close()
    return parser


def test_same_case_file_gives_the_same_bytes() -> None:
    _, verified = prosecution()
    case_file = build_case_file(verified.records, audience="cps")
    page = verification_page(verified.records)
    assert case_file_html(case_file, verification=page) == case_file_html(
        case_file, verification=page
    )


def test_every_mg_form_is_a_heading_of_the_page() -> None:
    _, verified = prosecution()
    page = outline(case_file_html(build_case_file(verified.records, audience="cps")))
    titles = {title.split(" ")[0] for level, title in page.headings if level == 2}
    assert {"MG1", "MG3", "MG5", "MG6C", "MG6D", "MG6E", "MG9", "MG11", "MG12"} <= titles
    assert "script" not in page.tags
    assert page.lang == "en-GB"
