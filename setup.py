"""pip install . : the snn Python package, its extension built by this repository's CMake
project (the same libraries as snn-sim and snn-train). Offline, with Debian's pip, setuptools,
pybind11-dev and python3-numpy:

    python3 -m venv --system-site-packages .venv        # sees Debian's numpy, h5py, matplotlib
    .venv/bin/pip install --no-build-isolation .

--no-build-isolation makes pip use the installed setuptools instead of downloading one.
Environment: SNN_CMAKE_ARGS (extra -D options), SNN_BUILD_JOBS (parallel jobs).
"""

import os
import pathlib
import re
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = pathlib.Path(__file__).resolve().parent
VERSION = re.search(r"project\(snn .*VERSION ([0-9.]+)\)",
                    (ROOT / "CMakeLists.txt").read_text()).group(1)


class CMakeExtension(Extension):
    def __init__(self, name):
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    """Configures the CMake project with the Python module only and builds target _snn."""

    def build_extension(self, ext):
        target = pathlib.Path(self.get_ext_fullpath(ext.name)).resolve()
        build = pathlib.Path(self.build_temp).resolve() / "cmake"
        generator = ["-G", "Ninja"] if shutil.which("ninja") else []
        configure = [
            "cmake", "-S", str(ROOT), "-B", str(build), *generator, "-DCMAKE_BUILD_TYPE=Release",
            "-DSNN_BUILD_PYTHON=ON", "-DSNN_BUILD_TESTS=OFF", "-DSNN_BUILD_BENCH=OFF",
            f"-DPython3_EXECUTABLE={sys.executable}",
            *os.environ.get("SNN_CMAKE_ARGS", "").split(),
        ]
        jobs = os.environ.get("SNN_BUILD_JOBS", str(os.cpu_count() or 2))
        subprocess.check_call(configure)
        subprocess.check_call(["cmake", "--build", str(build), "--target", "_snn", "-j", jobs])
        built = next((build / "python" / "snn").glob("_snn*.so"))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built, target)


setup(
    name="snn",
    version=VERSION,
    description="Event-driven simulation and BPTT training of spiking neural networks",
    long_description=(ROOT / "python" / "README.md").read_text(),
    long_description_content_type="text/markdown",
    license="see the repository",
    python_requires=">=3.9",
    packages=["snn"],
    package_dir={"snn": "python/snn"},
    ext_modules=[CMakeExtension("snn._snn")],
    cmdclass={"build_ext": CMakeBuild},
    entry_points={"console_scripts": ["snn-plot=snn.plot:main"]},
    zip_safe=False,
    # setuptools' own build folder, apart from the CMake build in build/
    options={"build": {"build_base": "build-pip"}},
)
