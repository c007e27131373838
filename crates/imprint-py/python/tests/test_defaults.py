"""The defaults Python shows are the library's (issue 27 item 4): every
default written in the stub `__init__.pyi` and in `sweep.py` is checked
against `imprint.defaults()`, which the extension reads from the library's
own `Default`s. The binding decides nothing: a keyword given to `train`
is resolved by the library as a run file's field is."""

import ast
import inspect
import pathlib

import pytest

import imprint
import imprint.sweep

STUB = pathlib.Path(imprint.__file__).with_name("__init__.pyi")


def stub_defaults(name):
    """The keyword defaults of function `name` in the stub, as Python values."""
    tree = ast.parse(STUB.read_text())
    function = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name)
    args = function.args
    out = {}
    positional = args.args[len(args.args) - len(args.defaults):]
    for arg, default in list(zip(positional, args.defaults)) + list(zip(args.kwonlyargs, args.kw_defaults)):
        if default is not None:
            out[arg.arg] = ast.literal_eval(default)
    return out


def test_every_analysis_default_in_the_stub_is_the_librarys():
    library = imprint.defaults()
    options = {**library["analysis"], **library["structure"]}
    stub = stub_defaults("analyze")
    assert stub.pop("initial") is None
    assert stub, "the stub lists analyze's options"
    for name, value in stub.items():
        assert name in options, f"analyze({name}=...) is no library option"
        assert value == options[name], f"analyze({name}={value!r}): the library's default is {options[name]!r}"
    # Every library option is in the stub.
    assert set(options) == set(stub)


def test_train_measure_and_sweep_defaults_are_the_librarys():
    library = imprint.defaults()
    train = stub_defaults("train")
    assert train["rule"] == library["training"]["rule"]["kind"]
    assert train["keep"] == library["training"]["keep"]
    assert train["seed"] == library["training"]["seed"]
    # Hyperparameters default to None in the stub: the task's own.
    for name in ["learning_rate", "nudge", "batch_size", "iterations", "k_min", "k_max", "momentum", "damping"]:
        assert train[name] is None, name
    measure = stub_defaults("measure")
    assert measure["boundary"] == library["boundary"]
    assert inspect.signature(imprint.sweep.plan).parameters["max_runs"].default is None
    assert library["max_runs"] == 10_000


def test_train_keywords_are_resolved_by_the_library(tmp_path):
    network = imprint.Network.lattice(6, 6, periodic=True)
    task = imprint.Task.builtin("regression-2x2", network, samples=10)
    # A keyword the rule lacks is refused by the library, naming it.
    with pytest.raises(imprint.ImprintError, match="nudge"):
        imprint.train(network, task, rule="gradient-descent", nudge=0.1, iterations=2)
    with pytest.raises(imprint.ImprintError, match="damping"):
        imprint.train(network, task, damping=1e-3, iterations=2)
    with pytest.raises(imprint.ImprintError, match="keep"):
        imprint.train(network, task, keep="first", iterations=2)
    with pytest.raises(imprint.ImprintError, match="learning_rate"):
        imprint.train(network, task, learning_rate="fast", iterations=2)
    with pytest.raises(imprint.ImprintError, match="auto_rate"):
        imprint.train(network, task, auto_rate={"speed": 1}, iterations=2)
    # A constant rate, an integer one too, is used as given.
    _, history = imprint.train(network, task, learning_rate=3, iterations=3, callback_every=1)
    assert [r["learning_rate"] for r in history[1:]] == [3.0, 3.0, 3.0]


def test_reproduce_defaults_are_the_librarys():
    library = imprint.defaults()["reproduction"]
    stub = stub_defaults("reproduce")
    for name in ["out", "quick", "seed", "seeds", "network", "condition_rate", "force", "physics"]:
        assert stub[name] is None, f"reproduce({name}=...) takes the library's default"
        assert name in library
    assert (library["seeds"], library["network"], library["condition_rate"]) == (3, "cluster", "auto")
    assert library["physics"] == "resistive"
