"""Official (Kemendagri) kecamatan of Kabupaten Blitar (35.05) and Kota Blitar (35.72)."""
from __future__ import annotations

from dataclasses import dataclass

PROVINCE_JAWA_TIMUR = "35"
KABUPATEN_BLITAR = "35.05"
KOTA_BLITAR = "35.72"
BLITAR_REGENCIES = {KABUPATEN_BLITAR: "Kabupaten Blitar", KOTA_BLITAR: "Kota Blitar"}


@dataclass(frozen=True)
class Kecamatan:
    code: str
    name: str

    @property
    def regency_code(self) -> str:
        return self.code[:5]

    @property
    def regency_name(self) -> str:
        return BLITAR_REGENCIES[self.regency_code]

    @property
    def label(self) -> str:
        return f"{self.name}, {self.regency_name}"


_KABUPATEN = (
    "Wonodadi", "Udanawu", "Srengat", "Kademangan", "Bakung", "Ponggok", "Sanankulon", "Wonotirto",
    "Nglegok", "Kanigoro", "Garum", "Sutojayan", "Panggungrejo", "Talun", "Gandusari", "Binangun",
    "Wlingi", "Doko", "Kesamben", "Wates", "Selorejo", "Selopuro",
)
_KOTA = ("Kepanjenkidul", "Sukorejo", "Sananwetan")

KECAMATAN: tuple[Kecamatan, ...] = tuple(
    [Kecamatan(f"{KABUPATEN_BLITAR}.{i:02d}", name) for i, name in enumerate(_KABUPATEN, start=1)]
    + [Kecamatan(f"{KOTA_BLITAR}.{i:02d}", name) for i, name in enumerate(_KOTA, start=1)]
)
KECAMATAN_BY_CODE = {k.code: k for k in KECAMATAN}


def kecamatan_name(code: str | None) -> str:
    """The kecamatan's name for a code, or an empty string for an unknown one."""
    kecamatan = KECAMATAN_BY_CODE.get(code or "")
    return kecamatan.name if kecamatan else ""


def kecamatan_choices() -> list[tuple[str, str]]:
    """(code, "Name, Regency") pairs for select fields, in official code order."""
    return [(k.code, k.label) for k in KECAMATAN]
