"""The Indonesian catalogue covers every string in the code and the compiled catalogue is
what the app serves."""
import re

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from config import BASE_DIR

PO_FILE = BASE_DIR / "translations" / "id" / "LC_MESSAGES" / "messages.po"
MO_FILE = PO_FILE.with_suffix(".mo")


def makefile_keywords() -> dict:
    """The extra keywords of the Makefile's extract-messages target (its BABEL_KEYWORDS line)."""
    match = re.search(r"^BABEL_KEYWORDS\s*:?=\s*(.+)$", (BASE_DIR / "Makefile").read_text(), re.MULTILINE)
    assert match, "the Makefile lost its BABEL_KEYWORDS line"
    return {**DEFAULT_KEYWORDS, **parse_keywords(match.group(1).split())}


def extracted_msgids() -> set[str]:
    """Every msgid in the current code, extracted as `make extract-messages` does."""
    with open(BASE_DIR / "babel.cfg") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg, "babel.cfg")
    msgids = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        BASE_DIR, method_map, options_map, keywords=makefile_keywords()
    ):
        msgids.add(message[0] if isinstance(message, (tuple, list)) else message)
    return msgids


def read_catalogue():
    with open(PO_FILE, "rb") as po:
        return read_po(po, locale="id")


def is_translated(message) -> bool:
    strings = message.string if isinstance(message.string, (tuple, list)) else [message.string]
    return not message.fuzzy and all(strings)


def as_key(value):
    """Plural messages have a list of ids and strings; make them comparable and hashable."""
    return tuple(value) if isinstance(value, (tuple, list)) else value


def test_the_indonesian_catalogue_header_is_right():
    catalogue = read_catalogue()

    assert catalogue.project == "Pasar Lokal Blitar"
    assert catalogue.plural_forms == "nplurals=1; plural=0;"
    assert str(catalogue.locale) == "id"


def test_every_string_in_the_code_has_an_indonesian_translation():
    catalogue = read_catalogue()
    extracted = extracted_msgids()
    assert len(extracted) > 100, "extraction found almost nothing: is babel.cfg right?"

    missing = sorted(
        msgid for msgid in extracted if msgid and not (catalogue.get(msgid) and is_translated(catalogue.get(msgid)))
    )

    assert not missing, (
        f"{len(missing)} strings have no Indonesian translation; run `make extract-messages` and translate "
        "them in translations/id/LC_MESSAGES/messages.po:\n" + "\n".join(missing)
    )


def test_translations_keep_their_placeholders():
    wrong = []
    for message in read_catalogue():
        if not message.id or not is_translated(message):
            continue
        ids = message.id if isinstance(message.id, (tuple, list)) else [message.id]
        strings = message.string if isinstance(message.string, (tuple, list)) else [message.string]
        wanted = set(re.findall(r"%\(\w+\)s", ids[0]))
        wrong += [ids[0] for string in strings if set(re.findall(r"%\(\w+\)s", string)) != wanted]

    assert not wrong, "translations with other %(name)s placeholders than their msgid:\n" + "\n".join(wrong)


def test_the_compiled_catalogue_matches_the_po_file():
    assert MO_FILE.exists(), "translations are not compiled: run `make translations`"
    with open(MO_FILE, "rb") as mo:
        compiled = {as_key(message.id): as_key(message.string) for message in read_mo(mo) if message.id}
    translated = {as_key(message.id): as_key(message.string)
                  for message in read_catalogue() if message.id and is_translated(message)}

    stale = sorted(str(msgid) for msgid in translated if compiled.get(msgid) != translated[msgid])
    assert not stale, "the compiled catalogue is out of date: run `make translations`\n" + "\n".join(stale[:20])


def test_pages_in_indonesian_use_the_compiled_catalogue(client):
    page = client.get("/akun/masuk").get_data(as_text=True)

    assert ">Masuk<" in page
    assert ">Daftar<" in page
    assert ">Bahasa<" in page
    assert "Log in" not in page


def test_the_same_page_in_english(client):
    client.post("/bahasa", data={"lang": "en"})

    page = client.get("/akun/masuk").get_data(as_text=True)

    assert ">Register<" in page
    assert ">Language<" in page
