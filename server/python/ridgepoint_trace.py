"""Ridgepoint's tracer: runs a PyTorch model's forward once and records every aten op it dispatches.

Shipped with the extension and run by the language server or the CLI (traced mode, trusted workspaces
only) as:  python ridgepoint_trace.py --file model.py --entry resnet50 --input 1x3x224x224 [--dtype float32]
It imports the user's file (with its package context, so relative imports work), evaluates the entry
(any Python expression in the file's scope), builds the model without allocating weights (the `meta`
device; torch 1.13 has no device context manager, so factory calls are redirected by a TorchFunctionMode
and weight initialisers are skipped), runs forward on a meta input under a TorchDispatchMode, and prints
ONE JSON document on stdout: ops with shapes, dtypes, scalar arguments, the innermost frame in the user's
files and the nn.Module path; parameters and buffers. Errors print a JSON error with the traceback frames.
It never uses a GPU (CUDA_VISIBLE_DEVICES is emptied) nor the network (sockets refuse to connect).
"""
import argparse
import json
import time
import math
import os
import sys
import traceback

FORMAT_VERSION = 1
os.environ["CUDA_VISIBLE_DEVICES"] = ""
THIS_FILE = os.path.abspath(__file__)
STARTED = time.perf_counter()
TIMINGS = {}


def lap(name):
    """Seconds since the previous lap (or the start), for the benchmark's breakdown."""
    now = time.perf_counter()
    TIMINGS[name] = round(now - STARTED - sum(TIMINGS.values()), 4)


def block_network():
    """User code may try to download weights (torch.hub): no connection may leave this process."""
    import socket

    def refuse(*_args, **_kwargs):
        raise OSError("Ridgepoint's tracer runs without network access")

    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.create_connection = refuse
    socket.getaddrinfo = refuse


# The JSON document goes to the real stdout; whatever the user's code prints goes to stderr.
RESULT_STREAM = sys.stdout
sys.stdout = sys.stderr


def emit(document):
    RESULT_STREAM.write(json.dumps(document, allow_nan=False))
    RESULT_STREAM.write("\n")
    RESULT_STREAM.flush()


def traceback_frames(tb):
    """The traceback, outermost first, without this script's frames; `user` is false in torch and the stdlib."""
    import sysconfig

    torch = sys.modules.get("torch")
    library = [os.path.abspath(sysconfig.get_paths()["stdlib"]) + os.sep]
    if torch is not None and getattr(torch, "__file__", None):
        library.append(os.path.dirname(os.path.abspath(torch.__file__)) + os.sep)
    frames = []
    for f in traceback.extract_tb(tb):
        path = os.path.abspath(f.filename)
        if path == THIS_FILE:
            continue
        frames.append({"file": path, "line": f.lineno, "function": f.name, "user": not f.filename.startswith("<") and not path.startswith(tuple(library))})
    return frames


def fail(stage, error, user_files=None):
    frames = traceback_frames(error.__traceback__)
    emit({
        "format": FORMAT_VERSION,
        "ok": False,
        "stage": stage,
        "error": {"type": type(error).__name__, "message": str(error)[:4000], "frames": frames},
    })
    sys.exit(0)


# --- importing the user's file ------------------------------------------------------------------


def package_root(path):
    """The directory above the outermost package holding `path` (walking up through __init__.py dirs)."""
    directory = os.path.dirname(path)
    parts = [os.path.splitext(os.path.basename(path))[0]]
    while os.path.isfile(os.path.join(directory, "__init__.py")):
        parts.insert(0, os.path.basename(directory))
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    return directory, ".".join(parts)


def import_user_file(path):
    import importlib
    import importlib.util

    root, dotted = package_root(path)
    if "." in dotted:
        # A module inside a package: import it by its dotted name so `from ..ops import X` works. If the
        # same package is installed elsewhere (site-packages), the user's copy must win.
        sys.path.insert(0, root)
        top = dotted.split(".")[0]
        for name in [n for n in sys.modules if n == top or n.startswith(top + ".")]:
            del sys.modules[name]
        module = importlib.import_module(dotted)
        if os.path.abspath(getattr(module, "__file__", "") or "") == path:
            return module
    sys.path.insert(0, os.path.dirname(path))
    spec = importlib.util.spec_from_file_location("__ridgepoint_model__", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["__ridgepoint_model__"] = module
    spec.loader.exec_module(module)
    return module


# --- building the entry without weights ---------------------------------------------------------

FACTORIES = {
    "empty", "zeros", "ones", "full", "rand", "randn", "randint", "arange", "linspace", "logspace", "eye",
    "tensor", "as_tensor", "empty_strided", "randperm", "scalar_tensor", "zeros_like", "ones_like",
    "empty_like", "full_like", "rand_like", "randn_like",
}


def meta_device_context(torch):
    """`with torch.device("meta")` on torch >= 2.0; on 1.13 a TorchFunctionMode that adds device="meta"."""
    if hasattr(torch, "device") and hasattr(torch.device, "__enter__"):
        return torch.device("meta")
    from torch.overrides import TorchFunctionMode

    class MetaFactories(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            kwargs = dict(kwargs or {})
            if getattr(func, "__name__", "") in FACTORIES and kwargs.get("device") is None:
                kwargs["device"] = "meta"
            return func(*args, **kwargs)

    return MetaFactories()


class SkippedInit:
    """Weight initialisers become no-ops while the model is built: the values are never read."""

    def __init__(self, torch):
        self.torch = torch
        self.saved = []

    def __enter__(self):
        init = self.torch.nn.init
        for name in dir(init):
            fn = getattr(init, name)
            if callable(fn) and name.endswith("_") and not name.startswith("_"):
                self.saved.append((init, name, fn))
                setattr(init, name, lambda tensor, *a, **k: tensor)
        return self

    def __exit__(self, *exc):
        for owner, name, fn in reversed(self.saved):
            setattr(owner, name, fn)
        return False


def config_dataclass(module, cls):
    """The file's config dataclass when `cls.__init__` takes exactly one required argument and one fits."""
    import dataclasses
    import inspect

    try:
        params = [p for p in inspect.signature(cls.__init__).parameters.values() if p.name != "self"]
    except (TypeError, ValueError):
        return None
    required = [p for p in params if p.default is inspect.Parameter.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if len(required) != 1:
        return None
    annotation = required[0].annotation
    if isinstance(annotation, str):
        annotation = getattr(module, annotation, None)
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        return annotation
    candidates = [v for v in vars(module).values() if isinstance(v, type) and dataclasses.is_dataclass(v) and v.__module__ == module.__name__]
    configs = [c for c in candidates if "config" in c.__name__.lower()] or candidates
    return configs[0] if len(configs) == 1 else None


ENTRY_SITE = {}


def remember_entry_site(value, user_file):
    import inspect

    try:
        target = inspect.unwrap(value) if callable(value) and not isinstance(value, type) else value
        if os.path.abspath(inspect.getsourcefile(target) or "") == user_file:
            lines, first = inspect.getsourcelines(target)
            # The `def` or `class` line itself, below any decorators (where the static frontend puts it too).
            offset = next((i for i, l in enumerate(lines) if l.lstrip().startswith(("def ", "async def ", "class "))), 0)
            ENTRY_SITE.update({"file": user_file, "line": first + offset})
    except (TypeError, OSError):
        pass


def evaluate_entry(torch, module, entry):
    """The entry's value: an expression in the file's scope; a callable is called with no arguments."""
    notes = []
    value = eval(compile(entry, "<ridgepoint --entry>", "eval"), vars(module))  # noqa: S307 - trusted workspace only
    remember_entry_site(value, os.path.abspath(module.__file__ or ""))
    if isinstance(value, torch.nn.Module):
        return value, notes
    if isinstance(value, type) and issubclass(value, torch.nn.Module):
        config = config_dataclass(module, value)
        try:
            return value(), notes
        except TypeError:
            if config is None:
                raise
        notes.append("built as %s(%s()) with the config's defaults" % (value.__name__, config.__name__))
        return value(config()), notes
    if callable(value):
        value = value()
    if not isinstance(value, torch.nn.Module):
        raise TypeError("the entry %r gave a %s, not an nn.Module" % (entry, type(value).__name__))
    return value, notes


def build_model(torch, module, entry):
    """Build on the meta device; when that fails (an .item() in __init__), on CPU with initialisers skipped."""
    try:
        with SkippedInit(torch), meta_device_context(torch):
            model, notes = evaluate_entry(torch, module, entry)
        return model.to("meta"), notes + [], "meta"
    except Exception as meta_error:  # noqa: BLE001 - retried on CPU below; the CPU error is the one reported
        if not looks_like_meta_limit(meta_error):
            raise
    with SkippedInit(torch):
        model, notes = evaluate_entry(torch, module, entry)
    # Forward still runs on meta where it can (no activations allocated); the CPU copy is not needed.
    return model.to("meta"), notes + ["built on CPU (the meta device failed while building)"], "meta"


def looks_like_meta_limit(error):
    text = str(error).lower()
    return "meta" in text or isinstance(error, NotImplementedError)


# --- recording ------------------------------------------------------------------------------------


def dtype_name(torch, dtype):
    return str(dtype).replace("torch.", "")


class Recorder:
    def __init__(self, torch, model, user_file):
        from torch.utils._python_dispatch import TorchDispatchMode

        self.torch = torch
        self.user_file = user_file
        self.ops = []
        self.values = {}  # id(tensor) -> value number (the latest version of that tensor object)
        self.keep = []  # every tensor seen, alive, so ids are never reused
        self.next_value = 0
        self.module_stack = []
        self.names = {}
        self.parameter_of = {}
        self.buffer_of = {}
        self.is_user_file = UserFiles(torch).is_user_file
        for name, m in model.named_modules():
            self.names[id(m)] = name
        for name, p in model.named_parameters():
            self.parameter_of[id(p)] = name
        for name, b in model.named_buffers():
            if b is not None:
                self.buffer_of[id(b)] = name
        recorder = self

        class Mode(TorchDispatchMode):
            def __torch_dispatch__(self, func, types, args=(), kwargs=None):
                kwargs = kwargs or {}
                out = func(*args, **kwargs)
                recorder.record(func, args, kwargs, out)
                return out

        self.mode = Mode()

    def user_frame(self, skip_self=None):
        frame = sys._getframe(2)
        while frame is not None:
            filename = frame.f_code.co_filename
            if self.is_user_file(filename) and (skip_self is None or frame.f_locals.get("self") is not skip_self):
                return {"file": os.path.abspath(filename), "line": frame.f_lineno}
            frame = frame.f_back
        return None

    def value_of(self, tensor, fresh=False):
        key = id(tensor)
        if fresh or key not in self.values:
            self.values[key] = self.next_value
            self.next_value += 1
            self.keep.append(tensor)
        return self.values[key]

    def encode(self, value, output=False, depth=0):
        torch = self.torch
        if isinstance(value, torch.Tensor):
            item = {"t": self.value_of(value, fresh=output), "shape": list(value.shape), "dtype": dtype_name(torch, value.dtype)}
            if not output:
                if id(value) in self.parameter_of:
                    item["param"] = self.parameter_of[id(value)]
                elif id(value) in self.buffer_of:
                    item["buffer"] = self.buffer_of[id(value)]
            return item
        if depth > 4:
            return None
        if isinstance(value, (list, tuple)):
            return [self.encode(v, output, depth + 1) for v in value]
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, int):
            return value if abs(value) < 2**53 else (1 if value > 0 else -1) * 2**53
        if isinstance(value, float):
            return value if math.isfinite(value) else str(value)
        if isinstance(value, torch.dtype):
            return {"dtype": dtype_name(torch, value)}
        return str(value)

    def record(self, func, args, kwargs, out):
        schema = func._schema
        op = {
            "op": schema.name,
            "overload": func._overloadname,
            "args": [self.encode(a) for a in args],
            "kwargs": {k: self.encode(v) for k, v in kwargs.items()},
            "out": self.encode(out, output=True),
        }
        frame = self.user_frame()
        if frame is not None:
            op["frame"] = frame
        if self.module_stack:
            op["module"] = self.module_stack[-1]
        self.ops.append(op)

    def push_module(self, module, _inputs):
        self.module_stack.append(self.names.get(id(module), "?"))

    def pop_module(self, _module, _inputs, _output):
        if self.module_stack:
            self.module_stack.pop()


class ConstructionSites:
    """Where each nn.Module was constructed: the innermost user frame outside its own __init__."""

    def __init__(self, torch, files):
        self.torch = torch
        self.sites = {}
        self.is_user_file = files.is_user_file
        self.original = torch.nn.Module.__init__

    def __enter__(self):
        sites, is_user_file, original = self.sites, self.is_user_file, self.original

        def init(module, *args, **kwargs):
            frame = sys._getframe(1)
            while frame is not None:
                filename = frame.f_code.co_filename
                if is_user_file(filename) and frame.f_locals.get("self") is not module:
                    sites[id(module)] = {"file": os.path.abspath(filename), "line": frame.f_lineno}
                    break
                frame = frame.f_back
            original(module, *args, **kwargs)

        self.torch.nn.Module.__init__ = init
        return self

    def __exit__(self, *exc):
        self.torch.nn.Module.__init__ = self.original
        return False


class UserFiles:
    """A frame filter usable before the model exists (for construction sites)."""

    def __init__(self, torch):
        import sysconfig

        torch_dir = os.path.dirname(os.path.abspath(torch.__file__))
        self.prefixes = (torch_dir + os.sep, os.path.abspath(sysconfig.get_paths()["stdlib"]) + os.sep, THIS_FILE)

    def is_user_file(self, filename):
        return not filename.startswith("<") and not os.path.abspath(filename).startswith(self.prefixes)


def class_definition(cls, cache):
    """Where a user's nn.Module class is defined (file, line), once per class."""
    import inspect

    if cls not in cache:
        try:
            cache[cls] = {"file": os.path.abspath(inspect.getsourcefile(cls)), "line": inspect.getsourcelines(cls)[1]}
        except (TypeError, OSError):
            cache[cls] = None
    return cache[cls]


def describe_modules(torch, model, sites):
    modules = []
    definitions = {}
    for name, m in model.named_modules():
        builtin = type(m).__module__.startswith("torch.")
        entry = {"path": name, "type": type(m).__name__, "leaf": len(list(m.children())) == 0, "builtin": builtin}
        if id(m) in sites:
            entry["site"] = sites[id(m)]
        defined = None if builtin else class_definition(type(m), definitions)
        if defined is not None:
            entry["defined"] = defined
        modules.append(entry)
    return modules


def parse_shape(text):
    dims = [int(d) for d in text.replace("×", "x").replace(",", "x").split("x") if d.strip()]
    if not dims or any(d < 0 for d in dims):
        raise ValueError("input shape %r is not D1xD2x... with whole numbers" % text)
    return dims


def starts_with_embedding(torch, model):
    for _, child in model.named_modules():
        if child is model or len(list(child.children())) > 0:
            continue
        return isinstance(child, torch.nn.Embedding)
    return False


def run_forward(torch, model, shape, input_dtype, device, user_file):
    recorder = Recorder(torch, model, user_file)
    if input_dtype in ("int64", "long"):
        x = torch.zeros(shape, dtype=torch.int64, device=device)
    else:
        x = torch.empty(shape, dtype=getattr(torch, input_dtype), device=device)
    input_value = recorder.value_of(x)
    pre = torch.nn.modules.module.register_module_forward_pre_hook(recorder.push_module)
    post = torch.nn.modules.module.register_module_forward_hook(recorder.pop_module)
    try:
        with torch.no_grad(), recorder.mode:
            out = model(x)
    finally:
        pre.remove()
        post.remove()
    return recorder, input_value, recorder.encode(flatten_output(torch, out)), x


def flatten_output(torch, out, depth=0):
    if isinstance(out, torch.Tensor):
        return [out]
    if depth > 4:
        return []
    if isinstance(out, dict):
        out = list(out.values())
    if isinstance(out, (list, tuple)):
        return [t for o in out for t in flatten_output(torch, o, depth + 1)]
    return [v for v in vars(out).values() if isinstance(v, torch.Tensor)] if hasattr(out, "__dict__") else []


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--file", required=True)
    parser.add_argument("--entry", required=True)
    parser.add_argument("--input", required=True)
    parser.add_argument("--dtype", default="float32")
    parser.add_argument("--input-dtype", default="auto")
    parser.add_argument("--device", choices=["meta", "cpu"], default="meta", help="cpu: build and run on CPU (real, uninitialised weights)")
    parser.add_argument("--timeout", type=float, default=0, help="seconds; dump the stack to stderr and exit just before")
    options = parser.parse_args()
    if options.timeout > 0:
        # Where the time went (an infinite loop at module level): the caller locates it in the stack dump.
        import faulthandler

        faulthandler.dump_traceback_later(options.timeout, exit=True)
    block_network()
    user_file = os.path.abspath(options.file)
    try:
        import torch
    except Exception as error:  # noqa: BLE001
        fail("import-torch", error)
    lap("importTorch")
    torch.hub.load_state_dict_from_url = lambda *a, **k: (_ for _ in ()).throw(OSError("Ridgepoint's tracer does not download weights"))
    try:
        shape = parse_shape(options.input)
    except ValueError as error:
        fail("arguments", error)
    files = UserFiles(torch)
    sites = ConstructionSites(torch, files)
    with sites:
        try:
            module = import_user_file(user_file)
        except BaseException as error:  # noqa: BLE001 - SystemExit in user code is an error too
            fail("import", error)
        lap("importFile")
        try:
            if options.device == "cpu":
                with SkippedInit(torch):
                    model, notes = evaluate_entry(torch, module, options.entry)
                device = "cpu"
            else:
                model, notes, device = build_model(torch, module, options.entry)
        except BaseException as error:  # noqa: BLE001
            fail("build", error)
    lap("build")
    model.eval()
    dtype = getattr(torch, options.dtype, None)
    if isinstance(dtype, torch.dtype) and dtype.is_floating_point and dtype != torch.float32:
        model.to(dtype)
    input_dtype = options.input_dtype
    if input_dtype == "auto":
        input_dtype = "int64" if starts_with_embedding(torch, model) else options.dtype
    try:
        try:
            recorder, input_value, outputs, x = run_forward(torch, model, shape, input_dtype, device, user_file)
        except Exception as meta_error:  # noqa: BLE001
            if device != "meta":
                raise
            # Some ops have no meta kernel on older torch, or forward reads a value (.item()): run on CPU.
            try:
                model = model.to_empty(device="cpu")
                device = "cpu"
                notes.append("forward ran on CPU (on the meta device: %s)" % str(meta_error).splitlines()[0][:200])
                recorder, input_value, outputs, x = run_forward(torch, model, shape, input_dtype, device, user_file)
            except Exception:  # noqa: BLE001 - the CPU error is as good; report the meta one if both fail alike
                raise meta_error
    except BaseException as error:  # noqa: BLE001
        fail("forward", error)
    lap("forward")
    modules = describe_modules(torch, model, sites.sites)
    emit({
        "format": FORMAT_VERSION,
        "ok": True,
        "torch": torch.__version__,
        "device": device,
        "entry": options.entry,
        "model": type(model).__name__,
        "notes": notes,
        "input": {"t": input_value, "shape": shape, "dtype": str(x.dtype).replace("torch.", "")},
        "outputs": outputs,
        "parameters": [{"name": n, "shape": list(p.shape), "dtype": dtype_name(torch, p.dtype)} for n, p in model.named_parameters()],
        "buffers": [{"name": n, "shape": list(b.shape), "dtype": dtype_name(torch, b.dtype)} for n, b in model.named_buffers() if b is not None],
        "modules": modules,
        "ops": recorder.ops,
        **({"entrySite": ENTRY_SITE} if ENTRY_SITE else {}),
        "timings": TIMINGS,
    })


if __name__ == "__main__":
    main()
