"""Desktop integration: the .desktop entry, the AppStream metainfo and the application icon.

The validators are the freedesktop ones (``desktop-file-validate`` from desktop-file-utils,
``appstreamcli`` from appstream); CI installs both, and a test that needs a missing one is skipped
with the package to install. The icons are rendered by ``packaging/make_icons.py``.
"""

import configparser
import shutil
import struct
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from liaison_calendar.ui.icons import app_icon
from liaison_calendar.ui.main_window import APP_NAME

ROOT = Path(__file__).resolve().parent.parent
RESOURCES = ROOT / "resources"
APP_ID = "eu.liaison.LiaisonCalendar"
DESKTOP = RESOURCES / f"{APP_ID}.desktop"
METAINFO = RESOURCES / f"{APP_ID}.metainfo.xml"
ICONS = RESOURCES / "icons"
SVG = ICONS / f"{APP_ID}.svg"
ICO = ICONS / "liaison.ico"
RUNTIME_SVG = ROOT / "desktop" / "liaison_calendar" / "ui" / "icons" / "liaison.svg"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def pyproject() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        project = tomllib.load(f)["project"]
    assert isinstance(project, dict)
    return project


def desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(DESKTOP, encoding="utf-8")
    return parser["Desktop Entry"]


def desktop_list(value: str) -> list[str]:
    """A desktop-entry list value (``a;b;``) as its items."""
    return [item for item in value.split(";") if item]


def metainfo() -> ET.Element:
    return ET.parse(METAINFO).getroot()


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    assert data[:8] == PNG_SIGNATURE, "not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def run_tool(tool: str, package: str, *args: str) -> subprocess.CompletedProcess[str]:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is not installed (apt-get install {package})")
    return subprocess.run([path, *args], capture_output=True, text=True, timeout=60, check=False)


# --- validators ----------------------------------------------------------------------------------


def test_the_desktop_entry_passes_desktop_file_validate() -> None:
    result = run_tool("desktop-file-validate", "desktop-file-utils", str(DESKTOP))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    problems = [line for line in output.splitlines() if "error:" in line or "warning:" in line]
    assert not problems, output


def test_the_metainfo_passes_appstreamcli_validate() -> None:
    result = run_tool("appstreamcli", "appstream", "validate", "--no-net", str(METAINFO))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # E: errors, W: warnings; I: (infos) and P: (pedantic notes) are allowed.
    problems = [line for line in output.splitlines() if line.lstrip().startswith(("E:", "W:"))]
    assert not problems, output


# --- the desktop entry ---------------------------------------------------------------------------


def test_the_desktop_entry_opens_calendar_files_with_the_liaison_command() -> None:
    entry = desktop_entry()
    assert entry["Type"] == "Application"
    assert "text/calendar" in desktop_list(entry["MimeType"])
    assert entry["Exec"].split()[0] == "liaison"
    assert "%F" in entry["Exec"].split() or "%f" in entry["Exec"].split()
    assert entry["Exec"].split()[0] in pyproject()["scripts"]  # type: ignore[operator]
    assert entry["Terminal"] == "false"
    assert {"Office", "Calendar"} <= set(desktop_list(entry["Categories"]))


def test_the_desktop_entry_names_the_icon_that_is_shipped() -> None:
    icon = desktop_entry()["Icon"]
    assert icon == APP_ID == DESKTOP.name.removesuffix(".desktop")
    assert (ICONS / f"{icon}.svg").is_file()
    for size in PNG_SIZES:
        assert (ICONS / "hicolor" / f"{size}x{size}" / "apps" / f"{icon}.png").is_file()


def test_window_matching_uses_what_qt_announces() -> None:
    """Wayland's app_id is the desktop file name; X11's WM_CLASS class is the application name."""
    assert f'"{APP_ID}"' in (ROOT / "desktop" / "liaison_calendar" / "ui" / "app.py").read_text(
        encoding="utf-8"
    )
    assert desktop_entry()["StartupWMClass"] == APP_NAME


# --- the metainfo --------------------------------------------------------------------------------


def test_the_metainfo_release_is_the_package_version() -> None:
    releases = metainfo().findall("./releases/release")
    assert releases, "no <release>"
    assert releases[0].get("version") == pyproject()["version"]


def test_the_metainfo_agrees_with_the_desktop_entry_and_the_package() -> None:
    root = metainfo()
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable[@type='desktop-id']") == DESKTOP.name
    assert root.findtext("project_license") == pyproject()["license"]
    assert [b.text for b in root.findall("./provides/binary")] == ["liaison"]
    assert "text/calendar" in [m.text for m in root.findall("./provides/mediatype")]
    assert root.findtext("name") == desktop_entry()["Name"]


# --- icons ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", PNG_SIZES)
def test_each_hicolor_png_has_its_size_and_an_alpha_channel(size: int) -> None:
    data = (ICONS / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png").read_bytes()
    assert png_size(data) == (size, size)
    assert data[25] == 6, "colour type 6: RGBA, so the corners are transparent"


def test_the_windows_icon_holds_every_size_as_png() -> None:
    data = ICO.read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", data, 0)
    assert (reserved, kind) == (0, 1)
    sizes = []
    for i in range(count):
        width, height, _colours, _reserved, _planes, bits, length, offset = struct.unpack_from(
            "<BBBBHHII", data, 6 + 16 * i
        )
        size = width or 256  # 0 stands for 256
        assert (height or 256) == size
        assert bits == 32
        assert offset + length <= len(data)
        assert png_size(data[offset : offset + length]) == (size, size)
        sizes.append(size)
    assert sorted(sizes) == list(ICO_SIZES)


def test_the_runtime_icon_is_the_shipped_svg() -> None:
    assert RUNTIME_SVG.read_bytes() == SVG.read_bytes(), "run packaging/make_icons.py"
    text = SVG.read_text(encoding="utf-8")
    assert 'viewBox="0 0 256 256"' in text
    assert "href" not in text, "the icon refers to nothing outside itself"
    assert "<text" not in text


def test_app_icon_draws(qapp: QApplication) -> None:
    icon = app_icon()
    assert not icon.isNull()
    for size in (16, 32, 256):
        pixmap = icon.pixmap(size, size)
        assert not pixmap.isNull()
        assert pixmap.width() == size
    image = icon.pixmap(64, 64).toImage()
    assert image.pixelColor(0, 0).alpha() == 0, "the corner is transparent"
    assert image.pixelColor(32, 52).alpha() == 255, "the page is opaque"
