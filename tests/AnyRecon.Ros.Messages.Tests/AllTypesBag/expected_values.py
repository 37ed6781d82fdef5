"""Prints, as JSON, the field values that the fixture's generate_test_bags.py writes for every topic.

The fixture script needs the `rosbags` library and numpy; neither is needed to learn what it writes. This harness
stands in minimal fakes for both (message classes that record their keyword arguments, np.array that returns a
list), runs the script's own create_sample_message() for each entry of its MESSAGE_TYPES table, and prints
{topic: {"type": ros_type, "fields": {...}}}. Header stamps come from time.time() in the script; the fake clock
returns a marker so the test knows to check them against the bag's log time instead.

Usage: python3 expected_values.py PATH/TO/generate_test_bags.py
"""
import json
import sys
import types

TIME_MARKER = 4_000_000_000.0  # seconds; far from any real recording time


class _Msg:
    def __init__(self, type_name, kwargs):
        self.type_name = type_name
        self.kwargs = kwargs


def _class_factory(attr):
    # rosbags names classes pkg__msg__Name
    type_name = attr.replace("__", "/")

    def ctor(**kwargs):
        return _Msg(type_name, kwargs)

    ctor.__name__ = attr
    return ctor


class _ClassModule(types.ModuleType):
    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return _class_factory(attr)


def _install_fakes():
    rosbags = types.ModuleType("rosbags")
    rosbag2 = types.ModuleType("rosbags.rosbag2")
    rosbag2.Writer = object
    enums = types.ModuleType("rosbags.rosbag2.enums")
    enums.StoragePlugin = types.SimpleNamespace(SQLITE3="sqlite3", MCAP="mcap")
    typesys = types.ModuleType("rosbags.typesys")
    typesys.Stores = types.SimpleNamespace(ROS2_HUMBLE="humble", ROS2_FOXY="foxy")
    typesys.get_typestore = lambda *_: None
    stores = types.ModuleType("rosbags.typesys.stores")
    for name, module in {
        "rosbags": rosbags,
        "rosbags.rosbag2": rosbag2,
        "rosbags.rosbag2.enums": enums,
        "rosbags.typesys": typesys,
        "rosbags.typesys.stores": stores,
        "rosbags.typesys.stores.ros2_foxy": _ClassModule("rosbags.typesys.stores.ros2_foxy"),
        "rosbags.typesys.stores.ros2_humble": _ClassModule("rosbags.typesys.stores.ros2_humble"),
    }.items():
        sys.modules[name] = module

    numpy = types.ModuleType("numpy")
    for dtype in ("float32", "float64", "uint8", "int8", "int16", "uint16", "int32", "uint32", "int64", "uint64", "bool_"):
        setattr(numpy, dtype, dtype)
    numpy.array = lambda values, dtype=None: list(values)
    numpy.zeros = lambda n, dtype=None: [0] * (n if isinstance(n, int) else n[0])
    sys.modules["numpy"] = numpy


def _plain(value):
    if isinstance(value, _Msg):
        return {"__type__": value.type_name, **{k: _plain(v) for k, v in value.kwargs.items()}}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, bytes):
        return list(value)
    if isinstance(value, float) and value != value:
        return "NaN"
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def main():
    _install_fakes()
    import time
    time.time = lambda: TIME_MARKER
    source = open(sys.argv[1], encoding="utf-8").read()
    namespace = {"__name__": "fixture_script"}
    exec(compile(source, sys.argv[1], "exec"), namespace)
    result = {}
    for ros_type, (cls, topic) in namespace["MESSAGE_TYPES"].items():
        msg = namespace["create_sample_message"](cls, ros_type)
        result[topic] = {"type": ros_type, "fields": _plain(msg)}
    json.dump({"time_marker_ns": int(TIME_MARKER * 1e9), "topics": result}, sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
