"""The map's JavaScript, CSS, fonts and images, served from the project instead of CDNs.

folium and st_folium load Leaflet, jQuery, Bootstrap and Font Awesome from public CDNs,
which are unreachable offline (and a privacy leak online). The same files ship inside
PyPI packages (xstatic-*, fontawesomefree, bootstrap-wrapper; Leaflet.heat, which folium's
HeatMap loads from a CDN, inside folium itself); ``vendor_assets`` copies
them into a directory the app or a standalone HTML map can serve, and ``map_assets``
gives the URLs to put on a ``folium.Map``'s ``default_js`` / ``default_css``.

Files are copied, not symlinked: Streamlit's static serving refuses symlinks.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from geo.errors import BorderlineError

__all__ = [
    "AssetError",
    "VendorFile",
    "MapAssets",
    "VENDOR_FILES",
    "APP_STATIC_URL",
    "DataFiles",
    "ScriptFiles",
    "app_vendor_dir",
    "map_assets",
    "vendor_assets",
]

#: Where Streamlit serves ``<app dir>/static/vendor`` when ``server.enableStaticServing`` is on.
APP_STATIC_URL = "/app/static/vendor"


class AssetError(BorderlineError, RuntimeError):
    """A vendored asset is missing from the installed packages."""


@dataclass(frozen=True, slots=True)
class VendorFile:
    package: str   # importable package whose files hold it ("bootstrap" is special: see _package_root)
    source: str    # path inside the package
    dest: str      # path inside the vendor directory


def _files(package: str, source_dir: str, dest_dir: str, names: tuple[str, ...]) -> tuple[VendorFile, ...]:
    return tuple(VendorFile(package, f"{source_dir}/{n}", f"{dest_dir}/{n}") for n in names)


_FA = "static/fontawesomefree"
_FA_FONTS = ("fa-brands-400", "fa-regular-400", "fa-solid-900", "fa-v4compatibility")

#: Every file the map can ask for. Leaflet's and Font Awesome's CSS refer to images and
#: fonts by relative URL, so the directory layout below mirrors theirs.
VENDOR_FILES: tuple[VendorFile, ...] = (
    *_files("xstatic.pkg.leaflet", "data", "leaflet", ("leaflet.js", "leaflet.css")),
    *_files("xstatic.pkg.leaflet", "data/images", "leaflet/images",
            ("layers.png", "layers-2x.png", "marker-icon.png", "marker-icon-2x.png", "marker-shadow.png")),
    *_files("xstatic.pkg.jquery", "data", "jquery", ("jquery.min.js",)),
    *_files("xstatic.pkg.leaflet_markercluster", "data", "markercluster",
            ("leaflet.markercluster.js", "MarkerCluster.css", "MarkerCluster.Default.css")),
    *_files("bootstrap", "js", "bootstrap", ("bootstrap.bundle.min.js",)),
    *_files("bootstrap", "css", "bootstrap", ("bootstrap.min.css",)),
    *_files("fontawesomefree", f"{_FA}/css", "fontawesome/css", ("all.min.css",)),
    *_files("fontawesomefree", f"{_FA}/webfonts", "fontawesome/webfonts",
            tuple(f"{f}.{ext}" for f in _FA_FONTS for ext in ("woff2", "ttf"))),
    # Leaflet.heat (folium.plugins.HeatMap) ships inside folium itself
    *_files("folium", "templates", "leaflet-heat", ("leaflet_heat.min.js",)),
)


@dataclass(frozen=True, slots=True)
class MapAssets:
    """URLs of the vendored files, as (name, url) pairs in folium's ``default_js`` form."""

    base_url: str
    js: tuple[tuple[str, str], ...]
    css: tuple[tuple[str, str], ...]
    markercluster_js: tuple[tuple[str, str], ...]
    markercluster_css: tuple[tuple[str, str], ...]
    heat_js: tuple[tuple[str, str], ...]
    icon_image_path: str   # for L.Icon.Default.imagePath, with the trailing slash


def map_assets(base_url: str = APP_STATIC_URL) -> MapAssets:
    """URLs under ``base_url``: ``/app/static/vendor`` in the app, ``vendor`` beside a saved HTML.

    The names match folium's own (``leaflet``, ``jquery``, ``leaflet_css``...), so these lists
    replace its CDN entries rather than adding to them. awesome-markers and glyphicons are
    left out: the map draws no awesome-marker icons.
    """
    b = base_url.rstrip("/")
    return MapAssets(
        base_url=b,
        js=(
            ("leaflet", f"{b}/leaflet/leaflet.js"),
            ("jquery", f"{b}/jquery/jquery.min.js"),
            ("bootstrap", f"{b}/bootstrap/bootstrap.bundle.min.js"),
        ),
        css=(
            ("leaflet_css", f"{b}/leaflet/leaflet.css"),
            ("bootstrap_css", f"{b}/bootstrap/bootstrap.min.css"),
            ("awesome_markers_font_css", f"{b}/fontawesome/css/all.min.css"),
        ),
        markercluster_js=(("markerclusterjs", f"{b}/markercluster/leaflet.markercluster.js"),),
        markercluster_css=(
            ("markerclustercss", f"{b}/markercluster/MarkerCluster.css"),
            ("markerclusterdefaultcss", f"{b}/markercluster/MarkerCluster.Default.css"),
        ),
        # the name folium's HeatMap uses, so this replaces its CDN link rather than adding one
        heat_js=(("leaflet-heat.js", f"{b}/leaflet-heat/leaflet_heat.min.js"),),
        icon_image_path=f"{b}/leaflet/images/",
    )


def app_vendor_dir(app_dir: Path) -> Path:
    """Where Streamlit serves ``APP_STATIC_URL`` from, for an app script in ``app_dir``."""
    return Path(app_dir) / "static" / "vendor"


def _package_root(package: str) -> Path:
    if package == "bootstrap":
        # bootstrap-wrapper installs a bare "bootstrap" data directory and says where it is.
        import bootstrap_wrapper
        return Path(bootstrap_wrapper.get_bootstrap_dir())
    return Path(str(resources.files(package)))


def _source_path(item: VendorFile) -> Path:
    try:
        path = _package_root(item.package) / item.source
    except ModuleNotFoundError as err:
        raise AssetError(f"map assets: package {item.package!r} is not installed "
                         f"(pip install -r requirements.txt)") from err
    if not path.is_file():
        raise AssetError(f"map assets: {item.source} is missing from package {item.package!r}")
    return path


def _up_to_date(src: Path, dst: Path) -> bool:
    try:
        s, d = src.stat(), dst.stat()
    except FileNotFoundError:
        return False
    return s.st_size == d.st_size and int(s.st_mtime) == int(d.st_mtime) and not dst.is_symlink()


def vendor_assets(dest: Path) -> Path:
    """Copy every ``VENDOR_FILES`` entry into ``dest`` (created); files already current are kept.

    Safe to call on every app start and from concurrent processes: each file is written
    to a temporary name and renamed into place. Returns ``dest``.
    """
    dest = Path(dest)
    for item in VENDOR_FILES:
        src = _source_path(item)
        dst = dest / item.dest
        if _up_to_date(src, dst):
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=dst.parent)
        os.close(fd)
        try:
            shutil.copy2(src, tmp)
            os.replace(tmp, dst)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return dest


@dataclass(frozen=True, slots=True)
class DataFiles:
    """Content-addressed JSON files the map fetches (``geo.maps.build_map(data_sink=...)``).

    ``put(text)`` writes ``<sha256>.json`` into ``directory`` (once; the name changes when the
    content does, so a browser may cache it forever) and returns ``url_prefix/<name>``. The
    ``keep`` most recently used files are kept, older ones deleted.
    """

    directory: Path
    url_prefix: str
    keep: int = 400

    def put(self, text: str) -> str:
        data = text.encode("utf-8")
        return self._store(hashlib.sha256(data).hexdigest()[:32] + ".json", lambda: data)

    def put_keyed(self, key: str, make: Callable[[], str]) -> str:
        """Like ``put``, for a text that ``key`` identifies (e.g. a front-line snapshot and how it is
        drawn): the file is named after the key, and ``make`` runs only when no such file is there
        yet, so the text is made once, across processes and restarts."""
        name = "k" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:31] + ".json"
        return self._store(name, lambda: make().encode("utf-8"))

    def _store(self, name: str, data: Callable[[], bytes]) -> str:
        path = Path(self.directory) / name
        if path.exists():
            os.utime(path)   # recently used: pruned last
        else:
            Path(self.directory).mkdir(parents=True, exist_ok=True)
            ignore = Path(self.directory) / ".gitignore"
            if not ignore.exists():
                ignore.write_text("*\n", encoding="utf-8")   # generated data, never committed
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=self.directory)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data())
                os.chmod(tmp, 0o644)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            self._prune()
        return f"{self.url_prefix.rstrip('/')}/{name}"

    def path_of(self, url: str) -> Path | None:
        """The file behind a URL ``put`` returned (tests read what the page would fetch)."""
        prefix = self.url_prefix.rstrip("/") + "/"
        if not url.startswith(prefix):
            return None
        name = url[len(prefix):]
        if "/" in name or not name.endswith(".json"):
            return None
        path = Path(self.directory) / name
        return path if path.is_file() else None

    def fetched_by(self, script: str) -> list[str]:
        """The texts of every file of this directory that a map script fetches, in order
        (what the browser would load; tests check them like the script itself)."""
        urls = re.findall(r'fetch\("(' + re.escape(self.url_prefix.rstrip("/")) + r'/[^"]+)"\)', script)
        paths = [self.path_of(u) for u in urls]
        return [p.read_text(encoding="utf-8") for p in paths if p is not None]

    def _prune(self) -> None:
        files = []
        for p in Path(self.directory).glob("*.json"):
            try:
                files.append((p.stat().st_mtime, p))
            except FileNotFoundError:
                continue
        files.sort(reverse=True)
        for _, p in files[self.keep:]:
            p.unlink(missing_ok=True)


@dataclass(frozen=True, slots=True)
class ScriptFiles:
    """JSON texts as script files, for a page opened from disk (file://), where ``fetch`` is refused
    but a ``<script>`` element still loads: ``put(text)`` writes ``<sha256>.js`` (once) holding
    ``callback("<sha256>", "<text as a string literal>")`` and returns ``url_prefix/<sha256>.js``
    (``put_keyed``: named after a key instead).
    The text is a string, parsed by the page as JSON, so whatever it holds never runs as code.
    The map's front line reads them (``BL.dayData``, ``borderline map``)."""

    directory: Path
    url_prefix: str
    callback: str = "BL.dayData"

    def put(self, text: str) -> str:
        return self._store(hashlib.sha256(text.encode("utf-8")).hexdigest()[:32], lambda: text)

    def put_keyed(self, key: str, make: Callable[[], str]) -> str:
        """Like ``put``, named after ``key``; ``make`` runs only when the file is not there yet."""
        return self._store("k" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:31], make)

    def _store(self, name: str, make: Callable[[], str]) -> str:
        import json

        path = Path(self.directory) / f"{name}.js"
        if not path.exists():
            Path(self.directory).mkdir(parents=True, exist_ok=True)
            literal = json.dumps(make(), ensure_ascii=True).replace("<", "\\u003c")
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=self.directory)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(f'{self.callback}("{name}", {literal});\n')
                os.chmod(tmp, 0o644)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        return f"{self.url_prefix.rstrip('/')}/{name}.js"
