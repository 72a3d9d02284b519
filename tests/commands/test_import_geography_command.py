"""`grid-console import-geography FILE [--replace]` through the module's run()."""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry
from sqlalchemy import create_engine, select, text

from console.cli import main
from console.commands import import_geography as command
from console.db import Database
from console.domain.demo_district import generate_demo_district
from console.domain.geography_rules import area_km2
from console.errors import ConsoleError, GeographyImportError
from console.models import Region
from console.services.geography import ensure_demo_district, import_geography, region_counts
from tests.commands.processes import wait_until_blocked

FIXTURE = Path(__file__).resolve().parent.parent / "data" / "geo" / "two_streets.geojson"


def parse(*argv: str, db: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    command.add_arguments(parser)
    args = parser.parse_args(list(argv))
    args.db = db
    return args


def test_imports_and_prints_counts(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{db_path}"
    assert command.run(parse(str(FIXTURE), db=url)) == 0
    out = capsys.readouterr().out
    assert "已导入 11 个区域" in out and "网格 4" in out
    database = Database(url)
    with database.session() as s:
        assert region_counts(s)["grid"] == 4
    database.dispose()


def test_replace_flag(db: Database, db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with db.session() as s:
        ensure_demo_district(s)
    args = parse(str(FIXTURE), "--replace", db=f"sqlite:///{db_path}")
    assert args.replace is True
    assert command.run(args) == 0
    assert "已删除原有区域" in capsys.readouterr().out
    with db.session() as s:
        assert region_counts(s)["street"] == 2


def test_bad_file_raises_a_console_error(db_path: Path, tmp_path: Path) -> None:
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    data["features"][-1]["properties"]["level"] = "楼栋"
    bad = tmp_path / "bad.geojson"
    bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(GeographyImportError) as info:
        command.run(parse(str(bad), db=f"sqlite:///{db_path}"))
    assert isinstance(info.value, ConsoleError)
    assert any(p.startswith("610104002001002:") for p in info.value.problems)


# --- coverage of the district on --replace, and hostile files (#13 §4) ----------------------


def demo_layer(*, drop: str | None = None, change: dict[str, BaseGeometry] | None = None) -> dict:
    """The demo district (the real outline, its generated grids) as a GeoJSON layer."""
    features = []
    for spec in generate_demo_district(7):
        if spec.code == drop:
            continue
        geometry = (change or {}).get(spec.code, spec.geometry)
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "code": spec.code,
                    "name": spec.name,
                    "level": spec.level.value,
                    "parent_code": spec.parent_code,
                },
                "geometry": mapping(geometry),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def write(tmp_path: Path, name: str, layer: dict) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(layer, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def demo_grids() -> dict[str, BaseGeometry]:
    return {s.code: s.geometry for s in generate_demo_district(7) if s.level == "grid"}


def grid_count(db: Database) -> int:
    with db.read() as s:
        return region_counts(s)["grid"]


def test_the_demo_layer_covers_its_district(
    demo_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "demo.geojson", demo_layer())
    assert command.run(parse(str(path), "--replace", db=str(demo_db.engine.url))) == 0
    out = capsys.readouterr().out
    assert "覆盖检查：网格覆盖全区" in out and "无缺口、无重叠" in out
    assert grid_count(demo_db) == 364


def test_a_layer_with_a_grid_missing_is_refused_naming_the_gap(
    demo_db: Database,
    tmp_path: Path,
    demo_grids: dict[str, BaseGeometry],
    capsys: pytest.CaptureFixture[str],
) -> None:
    missing = sorted(demo_grids)[100]
    hole = demo_grids[missing]
    # Its neighbours, found here independently: the grids sharing an edge or a corner with it.
    neighbours = sorted(c for c, g in demo_grids.items() if c != missing and g.intersects(hole))
    hole_m2 = area_km2(hole) * 1e6
    assert len(neighbours) >= 2 and hole_m2 > 1000
    path = write(tmp_path, "gap.geojson", demo_layer(drop=missing))
    url = str(demo_db.engine.url)

    with pytest.raises(GeographyImportError) as info:
        command.run(parse(str(path), "--replace", db=url))
    assert "1 处缺口" in info.value.message and "--allow-gaps" in info.value.message
    (line,) = info.value.problems
    area = float(re.search(r"约 ([\d,]+) m²", line)[1].replace(",", ""))  # type: ignore[index]
    assert area == pytest.approx(hole_m2, rel=0.001, abs=1)
    assert line.endswith("相邻网格 " + "、".join(neighbours))
    assert grid_count(demo_db) == 364  # nothing written
    with demo_db.read() as s:
        assert s.scalar(select(Region.id).where(Region.code == missing)) is not None

    # The same through the command line: one line, then the findings, exit 2.
    assert main(["--db", url, "import-geography", str(path), "--replace"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("错误 [geography_rejected]: gap.geojson：网格未覆盖全区")
    assert err[1] == f"  - {line}" and len(err) == 2

    # --allow-gaps: accepted, and the gap is reported.
    assert main(["--db", url, "import-geography", str(path), "--replace", "--allow-gaps"]) == 0
    out = capsys.readouterr().out
    assert f"  - {line}" in out and "覆盖检查" in out
    assert grid_count(demo_db) == 363


def test_overlapping_grids_are_reported_by_their_codes(
    demo_db: Database, tmp_path: Path, demo_grids: dict[str, BaseGeometry]
) -> None:
    a = sorted(demo_grids)[40]
    b = next(c for c in sorted(demo_grids) if c != a and demo_grids[c].touches(demo_grids[a]))
    url = str(demo_db.engine.url)
    # A wide overlap (all of a inside b too) is refused, naming both and the area.
    wide = demo_grids[b].union(demo_grids[a])
    path = write(tmp_path, "wide.geojson", demo_layer(change={b: wide}))
    with pytest.raises(GeographyImportError) as info:
        command.run(parse(str(path), "--replace", db=url))
    (problem,) = [p for p in info.value.problems if "重叠" in p]
    first, second = sorted((a, b))
    assert problem.startswith(f"{first}: 与同级网格 {second} 重叠约 ")
    # A sliver of a few metres along their shared edge (under the 1 % tolerance) goes in,
    # reported with both codes and its area.
    strip = demo_grids[a].intersection(demo_grids[b].buffer(0.00002))
    shared_m2 = area_km2(strip) * 1e6
    assert 50 < shared_m2 < 0.01 * area_km2(demo_grids[a]) * 1e6
    path = write(tmp_path, "sliver.geojson", demo_layer(change={b: demo_grids[b].union(strip)}))
    result = import_geography(demo_db, path, replace=True)
    assert result.coverage is not None and not result.coverage.gaps
    ((codes, m2),) = [(o.codes, o.area_m2) for o in result.coverage.overlaps]
    assert set(codes) == {a, b} and m2 == pytest.approx(shared_m2, rel=0.01)
    assert f"重叠: {codes[0]} 与 {codes[1]} 约 " in "\n".join(result.coverage.lines())


def test_hostile_files_are_one_clear_message(db_path: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{db_path}"
    base = json.loads(FIXTURE.read_text(encoding="utf-8"))
    text = json.dumps(base, ensure_ascii=False)
    deep = tmp_path / "deep.geojson"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(GeographyImportError, match="嵌套过深"):
        command.run(parse(str(deep), db=url))
    for digits in (400, 5000):
        big = tmp_path / f"big{digits}.geojson"
        big.write_text(text.replace("108.92", "1" * digits, 1), encoding="utf-8")
        with pytest.raises(GeographyImportError, match="含过长的数值（超过 24 个字符）"):
            command.run(parse(str(big), db=url))

    def refused(name: str, layer: dict) -> list[str]:
        with pytest.raises(GeographyImportError) as info:
            command.run(parse(str(write(tmp_path, name, layer)), db=url))
        return info.value.problems

    for constant in ("NaN", "Infinity", "1e400"):
        path = tmp_path / "nan.geojson"
        # the district ring's second corner (the first closes the ring)
        path.write_text(text.replace("[108.92, 34.27]", f"[{constant}, 34.27]", 1), "utf-8")
        with pytest.raises(GeographyImportError) as info:
            command.run(parse(str(path), db=url))
        assert "610104: 坐标不是有效数字（NaN 或无穷大）" in info.value.problems
    long_name = json.loads(text)
    long_name["features"][1]["properties"]["name"] = "长" * 101
    assert "610104001: 名称过长（101 字，最多 100 字）" in refused("long.geojson", long_name)
    nul = json.loads(text)
    nul["features"][2]["properties"]["name"] = "青\u0000年"
    nul["features"][3]["properties"]["parent_code"] = "6101\u000004001"
    problems = refused("nul.geojson", nul)
    code2, code3 = (nul["features"][i]["properties"]["code"] for i in (2, 3))
    assert f"{code2}: 名称含 NUL 字符" in problems
    assert f"{code3}: 上级编码含 NUL 字符" in problems
    assert not any("\x00" in p for p in problems)
    database = Database(url)
    with database.read() as s:
        assert region_counts(s)["grid"] == 0  # nothing written by any of them
    database.dispose()


# --- two imports of one new layer at once (#13 §4) -----------------------------------------

ROOT = Path(__file__).resolve().parents[2]


def _start(url: str, path: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "main.py", "--db", url, "import-geography", str(path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _one_wins(procs: list[subprocess.Popen[str]], db: Database) -> None:
    results = [(p.wait(timeout=120), *p.communicate()) for p in procs]
    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 2], results
    for _, _, err in results:
        assert "Traceback" not in err and "IntegrityError" not in err, err
    (loser_err,) = [err for code, _, err in results if code == 2]
    assert loser_err.startswith("错误 [geography_rejected]: demo.geojson：发现 549 个问题")
    assert "610104: 编码已存在于数据库中" in loser_err
    with db.read() as s:
        assert region_counts(s) == {
            "district": 1, "street": 9, "area": 41, "unit": 134, "grid": 364
        }  # fmt: skip


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads CPU time from /proc")
def test_two_imports_of_one_layer_at_once_on_sqlite(db: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "demo.geojson", demo_layer())
    url = str(db.engine.url)
    holder = create_engine(url, isolation_level="AUTOCOMMIT")
    with holder.connect() as lock:
        lock.exec_driver_sql("BEGIN IMMEDIATE")  # both queue for the write lock behind this
        procs = [_start(url, path), _start(url, path)]
        wait_until_blocked(procs)  # both read the file and wait for the lock
        lock.exec_driver_sql("COMMIT")
    holder.dispose()
    _one_wins(procs, db)


@pytest.mark.postgres
def test_two_imports_of_one_layer_at_once_on_postgresql(
    pg_url: str,
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "demo.geojson", demo_layer())
    db = Database(pg_url)  # migrated, no regions
    holder = create_engine(pg_url)
    try:
        with holder.connect() as lock:
            lock.execute(text("LOCK TABLE regions IN SHARE ROW EXCLUSIVE MODE"))
            procs = [_start(pg_url, path), _start(pg_url, path)]
            deadline = time.monotonic() + 60
            while True:  # until both wait on the regions lock: each has read the file
                with holder.connect() as conn:
                    waiting = conn.execute(
                        text(
                            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = "
                            "'Lock' AND query ILIKE '%regions%' AND datname = current_database()"
                        )
                    ).scalar_one()
                if waiting >= 2:
                    break
                assert all(p.poll() is None for p in procs)
                assert time.monotonic() < deadline
                time.sleep(0.2)
            lock.commit()
        _one_wins(procs, db)
    finally:
        holder.dispose()
        db.dispose()
