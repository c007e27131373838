"""Type stubs for imprint (the Rust extension plus the Python helpers)."""

from os import PathLike
from typing import Union, Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

__version__: str

class ImprintError(ValueError):
    """Invalid input: a bad network, task, file or parameter. The message names the offender."""

_Path = Union[str, PathLike]

class Network:
    """A resistor network: node positions, edges, conductances, optional periodic box."""

    def __init__(
        self,
        positions: npt.ArrayLike,
        edges: npt.ArrayLike,
        conductance: Optional[npt.ArrayLike] = None,
        periodic_box: Optional[Tuple[float, float]] = None,
    ) -> None: ...
    @staticmethod
    def load(path: _Path) -> "Network":
        """Reads .json (network JSON), .csv (edge list) or .txt (literature format)."""
    def save(self, path: _Path) -> None:
        """Writes network JSON, atomically."""
    def to_json(self) -> str: ...
    @staticmethod
    def from_json(text: str) -> "Network": ...
    @staticmethod
    def generate(generator: str, **parameters: Any) -> "Network":
        """jammed, cluster, square, triangular or delaunay, with that generator's parameters (library names and defaults; unknown names raise).

        A jammed packing stops at Ctrl-C (KeyboardInterrupt) within a thousand
        FIRE steps; with ``checkpoint=PATH`` it first saves its state there,
        and a later call with the same parameters and path continues it to
        the network an uninterrupted call makes (the file is removed then).
        ``progress=True`` prints ``imprint network generate jammed``'s progress
        lines to stderr (after every minimisation, and every 10 s within one)."""
    @staticmethod
    def jammed(
        nodes: int = 512,
        seed: int = 1,
        pressure: float = 1e-4,
        size_ratio: float = 1.4,
        force_tolerance: float = 1e-9,
        **parameters: Any,
    ) -> "Network":
        """Contact network of a 2D jammed packing of bidisperse disks (periodic, rattlers removed).

        ``protocol`` (1 or 2) fixes the packing a seed gives; without it the
        packing is protocol 1's (what calls made before protocol 2 got),
        ``protocol=2`` numbers disks along strips, which makes a FIRE step
        1.6-1.85x cheaper at 10^5 disks (docs/training.md, "Jamming protocols").
        ``checkpoint=PATH``: continue an interrupted packing; ``progress=True``:
        progress lines on stderr (``generate``)."""
    @staticmethod
    def lattice(columns: int, rows: int, kind: str = "square", periodic: bool = False, diagonals: bool = False) -> "Network":
        """Square or triangular lattice, unit spacing and conductances; ``diagonals`` braces every square (square lattices only)."""
    @staticmethod
    def delaunay(nodes: int = 512, seed: int = 1, coordination: Optional[float] = None) -> "Network":
        """Delaunay triangulation of random points, optionally diluted to mean coordination."""
    @property
    def node_count(self) -> int: ...
    @property
    def edge_count(self) -> int: ...
    @property
    def positions(self) -> npt.NDArray[np.float64]:
        """Shape (N, 2)."""
    @property
    def edges(self) -> npt.NDArray[np.int64]:
        """Shape (E, 2); the drop across edge e = (i, j) is V_i - V_j."""
    @property
    def conductance(self) -> npt.NDArray[np.float64]:
        """Shape (E,); assign an array to replace every conductance."""
    @conductance.setter
    def conductance(self, values: npt.ArrayLike) -> None: ...
    @property
    def periodic_box(self) -> Optional[Tuple[float, float]]: ...
    @property
    def metadata_json(self) -> str: ...
    @property
    def physics(self) -> str:
        """``"resistive"`` or ``"spring"`` (2D central-force springs; conductances are stiffnesses)."""
    def as_spring(self) -> "Network":
        """The same network as 2D springs; refused (ImprintError) when it has floppy modes beyond the rigid-body ones."""
    def describe(self, task: Optional["Task"] = None) -> str:
        """What ``imprint network info`` prints, with a spring network's rigidity (Z - 2d, rattlers, Maxwell's count, zero modes);
        given a task, also whether its held set pins every zero mode (``imprint network info --task``)."""
    @property
    def metadata(self) -> Dict[str, Any]:
        """Provenance (generator, seed, statistics)."""
    def to_networkx(self) -> Any:
        """networkx.Graph with node 'pos', edge 'weight' (conductance) and 'index'."""
    @staticmethod
    def from_networkx(graph: Any, conductance: str = "weight", pos: str = "pos", periodic_box: Optional[Tuple[float, float]] = None) -> "Network": ...

class Task:
    """A supervised task: fixed nodes with per-sample voltages, a read-out, targets and a cost."""

    @staticmethod
    def builtin(
        name: str,
        network: Network,
        *,
        seed: int = 1,
        samples: int = 112,
        target_edges: int = 3,
        desired_drop: float = 0.2,
        coefficients: Optional[Sequence[Sequence[float]]] = None,
    ) -> "Task":
        """regression-2x2, regression-2x5, classification-3 or allostery (see docs/training.md).
        On a spring network (`Network.as_spring()`) its spring counterpart (docs/theory.md
        section 9): held displacement components (fixed_nodes are 2 node + component),
        allostery's targets are bond extensions (desired_drop is the strain ratio)."""
    @staticmethod
    def custom(
        fixed_nodes: Sequence[int],
        fixed_voltages: npt.ArrayLike,
        targets: npt.ArrayLike,
        output_nodes: Optional[Sequence[int]] = None,
        output_edges: Optional[Sequence[Tuple[int, int]]] = None,
        cost: str = "mse",
        name: str = "custom",
        test_fixed_voltages: Optional[npt.ArrayLike] = None,
        test_targets: Optional[npt.ArrayLike] = None,
    ) -> "Task": ...
    @staticmethod
    def load(path: _Path) -> "Task": ...
    def save(self, path: _Path) -> None: ...
    def to_json(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def fixed_nodes(self) -> List[int]: ...
    @property
    def fixed_voltages(self) -> npt.NDArray[np.float64]:
        """Shape (M, C)."""
    @property
    def targets(self) -> npt.NDArray[np.float64]:
        """Shape (M, n_out)."""
    @property
    def output_nodes(self) -> Optional[List[int]]: ...
    @property
    def output_edges(self) -> Optional[List[Tuple[int, int]]]: ...
    @property
    def cost(self) -> str: ...

def solve(network: Network, fix: Dict[int, float], inject: Optional[Dict[int, float]] = None, allow_uncertified: bool = False) -> Dict[str, Any]:
    """Voltages, multipliers, source_currents, drops, currents (arrays), dissipated_power, kirchhoff_residual, voltage_error (refinement's estimate of the relative error of the voltages), voltage_error_bound (a rigorous bound on it) and certified (bound at most 1e-6). An uncertified solve raises ImprintError unless allow_uncertified=True."""

def solve_spring(network: Network, hold: List[Tuple[int, int, float]], forces: Optional[npt.ArrayLike] = None) -> Dict[str, Any]:
    """Solves a spring network (``Network.as_spring()``) with ``hold`` = [(node, component, value)] (component 0 = x, 1 = y) and ``forces`` of shape (N, 2): ``displacements`` (N, 2), ``extensions`` and ``tensions`` per bond, ``hold_forces`` (the force each hold exerts, in ``hold`` order) and ``displacement_error``. A held set that leaves a rigid-body or floppy motion free raises ImprintError."""

def defaults() -> Dict[str, Any]:
    """The library's defaults of every option Python exposes: ``analysis`` and
    ``structure`` (``analyze``), ``training`` (``train``, for the default task),
    ``boundary`` (``measure``) and ``max_runs`` (``sweep.plan``)."""

def evaluate(network: Network, task: Task) -> Dict[str, Optional[float]]:
    """cost, accuracy, test_cost, test_accuracy of the network's conductances."""

def train(
    network: Network,
    task: Task,
    rule: str = "coupled-learning",
    learning_rate: Optional[Union[float, str]] = None,
    nudge: Optional[float] = None,
    batch_size: Optional[int] = None,
    iterations: Optional[int] = None,
    k_min: Optional[float] = None,
    k_max: Optional[float] = None,
    seed: int = 1,
    callback: Optional[Callable[[int, Dict[str, Any], npt.NDArray[np.float64]], Any]] = None,
    callback_every: int = 100,
    progress: bool = False,
    keep: str = "best",
    stop_relative_cost: Optional[float] = None,
    stop_patience: Optional[int] = None,
    auto_rate: Optional[Dict[str, Any]] = None,
    damping: Optional[float] = None,
    momentum: Optional[float] = None,
) -> Tuple[Network, List[Dict[str, Any]]]:
    """Trains; returns the trained network and the history (step, cost,
    accuracy, learning_rate, stiffness...). ``learning_rate="auto"`` (the
    default) keeps the rate inside the stability limit of the update map; a
    number keeps it constant. The network returned is the best recorded
    state (``keep="best"``) or the last (``keep="last"``); training stops
    early once the cost has stayed below ``stop_relative_cost`` times the
    initial cost for ``stop_patience`` iterations. ``auto_rate`` tunes the
    automatic rate (``target``, ``every``, ``trust``; docs/training.md).
    ``rule="levenberg-marquardt"`` trains with the bounded second-order
    trainer on the task's transfer matrix (no learning rate or nudge;
    ``damping`` is its initial damping, default 1e-3; it stops as soon as the
    cost reaches the tolerance, or at a stationary point; records carry
    ``damping``). ``momentum`` (default 0, the plain rule) gives the
    first-order rules per-edge heavy-ball momentum with restart."""

def analyze(
    network: Network,
    task: Task,
    initial: Optional[Network] = None,
    *,
    method: str = "auto",
    boundary: str = "ground",
    dense_threshold: int = 3000,
    projections: int = 200,
    exact_susceptibility: bool = False,
    soft_modes: int = 50,
    seed: int = 1,
    check_tensors: bool = False,
    sample: int = 0,
    roles: str = "per-edge",
    top_share: float = 0.05,
) -> Dict[str, Any]:
    """Keys exactly those of analysis.npz: arrays (susceptibility, stiff modes, spectra, the
    sample's response, sectors, walls) and scalars (cost as float; stiff_mode_count, expected_stiff_modes, mode_count as int).
    `initial` (the network before training) adds initial_cost_hessian_eigenvalues."""

def analyze_run(run_dir: _Path, **options: Any) -> Dict[str, Any]:
    """Analyses a finished run directory like `imprint analyze RUN_DIR`; returns summary.json as a dict."""

def plot(run_dir: _Path, format: str = "png", output: Optional[_Path] = None) -> List[str]:
    """Every figure of a run like `imprint plot RUN_DIR` (from its stored analysis); returns the paths."""

def measure(network: Network, task: Task, noise: float = 0.0, seed: int = 1, boundary: str = "ground") -> Tuple[List[str], npt.NDArray[np.float64]]:
    """The measurement protocol simulated with the ground (H_g) or every held node held: stimulus labels and drops (stimuli, E)."""

def reproduce(
    out: Optional[_Path] = None,
    quick: Optional[bool] = None,
    seed: Optional[int] = None,
    seeds: Optional[int] = None,
    network: Optional[str] = None,
    condition_rate: Optional[Union[float, str]] = None,
    format: str = "png",
    force: Optional[bool] = None,
    progress: bool = False,
    physics: Optional[str] = None,
) -> Dict[str, Any]:
    """Reproduces the paper's claims as `imprint reproduce` does (the same
    library code): writes the runs, figures, claims.json and index.html into
    `out` and returns claims.json as a dict. Omitted arguments take the
    library's defaults, ``imprint.defaults()["reproduction"]``."""
