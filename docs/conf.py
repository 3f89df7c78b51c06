"""Sphinx configuration of the minimalkv documentation site.

Build it from the repository root with ``hatch run docs`` (warnings are errors, and every
cross-reference must resolve). The pages are Markdown, read by myst-parser; the API reference
under api/ is generated from the docstrings by autodoc.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import sys
from typing import Any

import minimalkv
from docutils import nodes
from docutils.statemachine import StringList
from sphinx.addnodes import pending_xref
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.errors import PycodeError
from sphinx.pycode import ModuleAnalyzer
from sphinx.util.docutils import SphinxDirective

project = "minimalkv"
author = "the minimalkv authors"
copyright = "the minimalkv authors"
release = minimalkv.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.viewcode",
]

source_suffix = {".md": "markdown"}
root_doc = "index"
# Only the pages are sources: the example project and the generated files are not.
exclude_patterns = ["examples", "_static", "benchmarks.json", "Thumbs.db", ".DS_Store"]

myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence", "deflist"]

html_theme = "alabaster"
html_title = f"minimalkv {release}"
html_theme_options = {"description": "Binary values under string keys, on any backend"}

autodoc_default_options = {
    "members": True,
    "show-inheritance": True,
    "member-order": "bysource",
}
autodoc_typehints = "signature"
autodoc_preserve_defaults = True

nitpicky = True
# Types of the standard library and of the third-party libraries that signatures name cannot
# resolve: the site links to no external documentation (the build reaches no other site).
# Only these modules are let through.
_EXTERNAL_MODULES = (
    *sorted(sys.stdlib_module_names),
    "dulwich",  # dulwich.repo.Repo
    "redis",  # redis.Redis
    "sqlalchemy",  # Engine, MetaData, Table
    "hypothesis",  # the contract suite's strategies and state machine
    "_pytest",  # the contract suite's fixtures and marks
    "typing_extensions",  # Buffer
)
nitpick_ignore_regex = [
    (r"py:.*", r"(?:{})\..+".format("|".join(_EXTERNAL_MODULES))),
    # Pages link the READMEs of the packages and of the contract suite, which are files of the
    # repository, not pages of this site: there the link shows as its text.
    ("myst", r".*/(?:tests-contract|packages/minimalkv[a-z0-9-]*)/README"),
]
# Driver types that annotations name through imports made only for type checkers, and one
# docstring of the contract suite naming its private module, and a type variable.
nitpick_ignore = [
    ("py:class", "S3Client"),
    ("py:class", "ContainerClient"),
    ("py:class", "BlobClient"),
    ("py:class", "st.SearchStrategy"),
    ("py:mod", "minimalkv.contract._rss"),
    ("py:class", "minimalkv.contract._services.Service"),  # session_service's type variable
]

_PUBLIC_MODULES = (
    "minimalkv",
    "minimalkv.backend",
    "minimalkv.memory",
    "minimalkv.fs",
    "minimalkv.redis",
    "minimalkv.sql",
    "minimalkv.s3",
    "minimalkv.azure",
    "minimalkv.gcs",
    "minimalkv.git",
    "minimalkv.decorator",
    "minimalkv.idgen",
    "minimalkv.crypt",
    "minimalkv.cache",
    "minimalkv.contract",
)
"""The modules the API reference documents with automodule, in the order of precedence."""

# Classes meant to be subclassed: their documented underscore methods are the hooks a backend
# or decorator implements, so the reference shows them.
_EXTENSION_CLASSES = frozenset(
    {
        "KeyValueStore",
        "UrlKeyValueStore",
        "CopyMixin",
        "UrlMixin",
        "TimeToLiveMixin",
        "RangeReader",
        "StoreDecorator",
        "IdGeneratingDecorator",
    }
)


def _is_data(obj: object) -> bool:
    return not (inspect.isclass(obj) or inspect.isroutine(obj) or inspect.ismodule(obj))


def _public_names() -> tuple[dict[str, str], dict[str, list[str]]]:
    """Map every path of an exported object to its documented name; and short names to those.

    Annotations and docstrings name an object by its defining module
    (``minimalkv._errors.KeyNotFoundError``), by another module that re-exports it, or by its
    bare name; the reference documents it once, under the first public module exporting it.
    """
    public: dict[str, str] = {}
    short: dict[str, list[str]] = {}
    for module_name in _PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            documented = public.get(f"{module_name}.{name}", f"{module_name}.{name}")
            paths = [f"{module_name}.{name}"]
            home = getattr(obj, "__module__", None)
            if isinstance(home, str) and not _is_data(obj):
                paths.append(f"{home}.{getattr(obj, '__qualname__', name)}")
            for other_name, other in list(sys.modules.items()):
                if other_name.startswith("minimalkv.") and getattr(other, name, None) is obj:
                    paths.append(f"{other_name}.{name}")
            for path in paths:
                public.setdefault(path, documented)
            if documented not in short.setdefault(name, []):
                short[name].append(documented)
    return public, short


def _find_inherited(target: str, node: pending_xref) -> str | None:
    """Return the documented path of an attribute that a class inherits.

    ``target`` is a bare attribute name inside a class's docstring, or ``Class.attribute``
    where the class is documented but the attribute is defined (and documented) on a base.
    """
    module_name = node.get("py:module")
    class_name, _, attribute = target.rpartition(".")
    class_name = class_name or node.get("py:class") or ""
    if not class_name or not module_name:
        return None
    owner = _PUBLIC.get(f"{module_name}.{class_name}")
    if owner is None and len(_SHORT.get(class_name, [])) == 1:
        owner = _SHORT[class_name][0]
    if owner is None:
        return None
    module_path, _, name = owner.rpartition(".")
    cls = getattr(sys.modules.get(module_path), name, None)
    if not inspect.isclass(cls):
        return None
    for base in cls.__mro__[1:]:
        if attribute in vars(base):
            base_path = _PUBLIC.get(f"{base.__module__}.{base.__qualname__}")
            if base_path is not None:
                return f"{base_path}.{attribute}"
    return None


def _resolve_public(
    app: Sphinx, env: BuildEnvironment, node: pending_xref, contnode: nodes.TextElement
) -> nodes.reference | None:
    """Resolve a reference the Python domain did not find to the object's documented path.

    Covers a type hint naming an object by its private module, a docstring naming an
    exported object by its bare name (``BatchError``) where the module context does not find
    it, and an attribute a class inherits from a documented base class.
    """
    if node.get("refdomain") != "py":
        return None
    target = str(node.get("reftarget", "")).lstrip("~.")
    candidates: list[str] = []
    if target in _PUBLIC:
        candidates.append(_PUBLIC[target])
    else:
        found = _SHORT.get(target, [])
        here = f"{node.get('py:module')}.{target}"
        candidates += [here] if here in found else found[:1] if len(found) == 1 else []
        inherited = _find_inherited(target, node)
        if inherited is not None:
            candidates.append(inherited)
    domain: Any = env.get_domain("py")
    for candidate in candidates:
        if candidate == target:
            continue
        new = node.deepcopy()
        new["reftarget"] = candidate
        new["refspecific"] = False
        result: nodes.reference | None = domain.resolve_xref(
            env,
            node.get("refdoc", ""),
            app.builder,
            node.get("reftype", "obj"),
            candidate,
            new,
            contnode,
        )
        if result is not None:
            return result
    return None


def _data_docstring(
    app: Sphinx, what: str, name: str, obj: object, options: Any, lines: list[str]
) -> None:
    """Give a re-exported constant the doc comment of its defining module.

    Without one in the exporting module autodoc shows the docstring of the value's type (of
    ``str``, of a union type): that is dropped.
    """
    if what != "data":
        return
    type_doc = inspect.getdoc(type(obj)) or ""
    if lines and "\n".join(lines).strip() != type_doc.strip():
        return
    lines.clear()
    short = name.rpartition(".")[2]
    for module_name, module in sorted(sys.modules.items()):
        if not module_name.startswith("minimalkv.") or getattr(module, short, None) is not obj:
            continue
        try:
            docs = ModuleAnalyzer.for_module(module_name).find_attr_docs()
        except PycodeError:
            continue
        if ("", short) in docs:
            lines.extend(docs["", short])
            return


def _skip_member(
    app: Sphinx, what: str, name: str, obj: object, skip: bool, options: Any
) -> bool | None:
    """Show the documented hooks (underscore methods) of the classes meant to be extended."""
    if not name.startswith("_") or name.startswith("__") or not getattr(obj, "__doc__", None):
        return None
    owner = getattr(obj, "__qualname__", "").rpartition(".")[0]
    if owner in _EXTENSION_CLASSES and inspect.isroutine(obj):
        return False
    return None


def _dataclass_signature(
    app: Sphinx,
    what: str,
    name: str,
    obj: object,
    options: Any,
    signature: str | None,
    return_annotation: str | None,
) -> tuple[str | None, str | None] | None:
    """Show a dataclass field's default factory as its call (``dict()``), not ``<factory>``.

    ``<factory>`` is not Python: the signature would not parse and its types would not link.
    """
    if signature is None or "<factory>" not in signature or not dataclasses.is_dataclass(obj):
        return None
    for field in dataclasses.fields(obj):
        factory = field.default_factory
        if field.init and factory is not dataclasses.MISSING:
            call = f"{getattr(factory, '__qualname__', 'factory')}()"
            signature = signature.replace("<factory>", call, 1)
    return signature.replace("<factory>", "..."), return_annotation


class PublicDataDirective(SphinxDirective):
    """``.. minimalkv-data:: module``: autodata for every constant and alias in ``__all__``.

    automodule documents a module's classes and functions from ``__all__`` but only those data
    members with a doc comment in the module itself; ours are defined in private modules.
    """

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        module_name = self.arguments[0]
        module = importlib.import_module(module_name)
        names = [n for n in module.__all__ if _is_data(getattr(module, n))]
        content = StringList()
        source = self.get_source_info()[0] or ""
        for name in names:
            content.append(f".. autodata:: {module_name}.{name}", source)
            content.append("", source)
        container = nodes.container()
        self.state.nested_parse(content, self.content_offset, container)
        return list(container.children)


_PUBLIC, _SHORT = _public_names()


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the resolver of public paths, the constants directive and the hooks."""
    app.connect("missing-reference", _resolve_public)
    app.connect("autodoc-process-docstring", _data_docstring)
    app.connect("autodoc-skip-member", _skip_member)
    app.connect("autodoc-process-signature", _dataclass_signature)
    app.add_directive("minimalkv-data", PublicDataDirective)
    return {"parallel_read_safe": True}
