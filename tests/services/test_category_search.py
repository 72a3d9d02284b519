"""Category search for the report form, without a database: code, name, pinyin initials."""

from __future__ import annotations

from console.services.catalog import CategoryOption
from console.services.category_search import choices_from, search

NEW, OLD = "gbt47678-5-2026", "cjt214"
OPTIONS = [
    CategoryOption("component", "03005", "垃圾箱", "市容环卫设施", NEW, False),
    CategoryOption("event_type", "03005", "垃圾箱异常", "市容环卫设施类", NEW, False),
    CategoryOption("event_type", "06010", "暴露垃圾", "市容环境类", NEW, False),
    CategoryOption("component", "01001", "供水井盖", "市政公用设施", NEW, False),
    CategoryOption("component", "01099", "5G基站（井盖）", "市政公用设施", NEW, True),
    CategoryOption("component", "0305", "垃圾箱", "市容环境类", OLD, False, "CJ/T 214"),
]


def names(text: str) -> list[str]:
    return [c.name for c in search(choices_from(OPTIONS, NEW), text)]


def test_only_the_taxonomy_in_force_is_offered() -> None:
    choices = choices_from(OPTIONS, NEW)
    assert len(choices) == 5 and {c.taxonomy for c in choices} == {NEW}
    assert [c.code for c in search(choices, "0305")] == []  # the old code is not offered


def test_pinyin_initials_find_the_name_exact_match_first() -> None:
    assert names("ljx") == ["垃圾箱", "垃圾箱异常"]
    assert names("LJ X") == ["垃圾箱", "垃圾箱异常"]  # case and spaces do not matter
    assert names("bllj") == ["暴露垃圾"]
    assert names("sjg") == ["供水井盖"]  # inside the initials (gsjg)
    assert names("5gjz") == ["5G基站（井盖）"]  # Latin and digits count too; brackets do not


def test_code_prefix_name_and_spelling() -> None:
    assert names("0300") == ["垃圾箱", "垃圾箱异常"]
    assert names("01") == ["供水井盖", "5G基站（井盖）"]  # by code: 01001, 01099
    assert names("井盖") == ["供水井盖", "5G基站（井盖）"]
    assert names("lajixiang")[0] == "垃圾箱"
    assert names("laji") == ["垃圾箱", "垃圾箱异常", "暴露垃圾"]  # spelling prefix before inside
    assert names("环卫") == ["垃圾箱", "垃圾箱异常"]  # the major class, last resort
    assert names("xyz") == []


def test_empty_text_lists_everything_up_to_the_limit() -> None:
    choices = choices_from(OPTIONS, NEW)
    assert len(search(choices, "")) == 5
    assert len(search(choices, "  ", limit=2)) == 2
    assert (
        choices[0].label == "03005 垃圾箱"
        and choices[4].label == "01099 5G基站（井盖）（地方扩展）"
    )
