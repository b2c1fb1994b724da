"""Points just across Hanoi's border, in the neighbouring provinces (the audit of issue 15 found
them given a Hanoi ward): (lat, long, where)."""
from __future__ import annotations

ACROSS_THE_BORDER = [
    (21.1167, 105.9627, "Từ Sơn, Bắc Ninh"),
    (21.237, 105.705, "Phúc Yên, Vĩnh Phúc"),
    (20.98, 106.03, "Văn Lâm, Hưng Yên"),
    (20.9557, 105.9435, "Ecopark, Hưng Yên"),
    (20.945, 105.93, "Văn Giang, Hưng Yên"),
    (20.87, 105.53, "Lương Sơn, Hòa Bình"),
]
