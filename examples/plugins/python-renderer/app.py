"""A weir renderer plugin written in Python: manifests as Python code.

Every `*.py` file under the Kustomization's path (in name order, recursively) is run in the
sandbox and defines `manifests()`, returning a list of Kubernetes objects as dictionaries.
Each object becomes one document (JSON, which is YAML). Built with componentize-py against
`wit/0.2.0`'s renderer world; weir runs it like any renderer, with the tree read-only at /src.
"""

import json
import os

from wit_world import exports
from componentize_py_types import Err
from wit_world.exports import render
from wit_world.imports import types

SOURCE = "/src"


def failure(code, message, path=None):
    return Err(types.Error(code=code, message=message, path=path, details=[]))


def python_files(root):
    found = []
    for directory, subdirectories, files in os.walk(root):
        subdirectories.sort()
        found.extend(os.path.join(directory, name) for name in sorted(files) if name.endswith(".py"))
    return found


def objects_of(path):
    relative = os.path.relpath(path, SOURCE)
    with open(path) as source:
        code = source.read()
    scope = {"__name__": relative}
    try:
        exec(compile(code, relative, "exec"), scope)
    except Exception as error:  # the tenant's code: report it, never crash the call
        raise failure(types.ErrorCode.INVALID_INPUT, f"{relative}: {type(error).__name__}: {error}", relative)
    generate = scope.get("manifests")
    if not callable(generate):
        raise failure(types.ErrorCode.INVALID_INPUT, f"{relative} defines no manifests() function", relative)
    try:
        objects = generate()
    except Exception as error:
        raise failure(types.ErrorCode.INVALID_INPUT, f"{relative}: manifests(): {type(error).__name__}: {error}", relative)
    if not isinstance(objects, list) or not all(isinstance(item, dict) for item in objects):
        raise failure(types.ErrorCode.INVALID_INPUT, f"{relative}: manifests() must return a list of dicts", relative)
    return objects


class Render(exports.Render):
    def describe(self):
        return types.PluginInfo(name="weir-example-python-renderer", version="0.1.0", config_schema=None)

    def build(self, options):
        root = os.path.normpath(os.path.join(SOURCE, options.path))
        if not root.startswith(SOURCE):
            raise failure(types.ErrorCode.DENIED, f"path {options.path} leaves the source tree")
        if not os.path.isdir(root):
            raise failure(types.ErrorCode.NOT_FOUND, f"{options.path} is not a directory", options.path)
        documents = []
        for path in python_files(root):
            for item in objects_of(path):
                if options.target_namespace:
                    item.setdefault("metadata", {})["namespace"] = options.target_namespace
                documents.append(json.dumps(item, sort_keys=True) + "\n")
        return render.Rendered(documents=documents, warnings=[])
