"""Evaluates a ROS 2 launch file without ROS 2 and prints what it would start, as JSON.

    python3 launch_probe.py --share DIR LAUNCH_FILE [name:=value ...]

Stub modules stand in for launch, launch_ros and ament_index_python: actions record their arguments,
substitutions resolve from the launch arguments (their declared defaults, overridden by name:=value), and
get_package_share_directory('anyrecon') returns DIR. Included launch files and OpaqueFunctions are evaluated
like ros2 launch does (included files see their launch_arguments). Output:
{"arguments": [...], "nodes": [...], "processes": [...], "includes": [...]}, conditions evaluated to booleans.
"""
import argparse
import importlib.util
import json
import sys
import types

sys.dont_write_bytecode = True  # launch files are imported from the source tree; leave no __pycache__ there


class SubstitutionFailure(Exception):
    pass


class Context:
    def __init__(self, configurations):
        self.launch_configurations = dict(configurations)

    def perform_substitution(self, substitution):
        return render(substitution, self)


class Substitution:
    def perform(self, context):
        raise NotImplementedError


class LaunchConfiguration(Substitution):
    def __init__(self, variable_name, default=None):
        self.variable_name = variable_name
        self.default = default

    def perform(self, context):
        if self.variable_name in context.launch_configurations:
            return context.launch_configurations[self.variable_name]
        if self.default is not None:
            return render(self.default, context)
        raise SubstitutionFailure(f"launch configuration '{self.variable_name}' does not exist")


class TextSubstitution(Substitution):
    def __init__(self, text=''):
        self.text = text

    def perform(self, context):
        return self.text


def render(value, context):
    """A launch value as the string launch would make of it (a list of parts is concatenated)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, Substitution):
        return value.perform(context)
    if isinstance(value, (list, tuple)):
        return ''.join(render(v, context) for v in value)
    return str(value)


def render_value(value, context):
    """A parameter value: substitutions become strings, plain Python values keep their type."""
    if isinstance(value, (Substitution, str)):
        return render(value, context)
    if isinstance(value, (list, tuple)):
        return [render_value(v, context) for v in value]
    if isinstance(value, dict):
        return {render(k, context): render_value(v, context) for k, v in value.items()}
    return value


class Condition:
    def __init__(self, predicate_expression):
        self.expression = predicate_expression

    def evaluate(self, context):
        text = render(self.expression, context).strip().lower()
        if text in ('true', '1'):
            return True
        if text in ('false', '0'):
            return False
        raise ValueError(f'condition expression {text!r} is not a boolean')


class IfCondition(Condition):
    pass


class UnlessCondition(Condition):
    def evaluate(self, context):
        return not super().evaluate(context)


class Action:
    def __init__(self, condition=None, **kwargs):
        self.condition = condition
        self.kwargs = kwargs


class DeclareLaunchArgument(Action):
    def __init__(self, name, default_value=None, description='', choices=None, **kwargs):
        super().__init__(**kwargs)
        self.name, self.default_value, self.description, self.choices = name, default_value, description, choices


class ExecuteProcess(Action):
    def __init__(self, cmd, condition=None, **kwargs):
        super().__init__(condition, **kwargs)
        self.cmd = cmd


class IncludeLaunchDescription(Action):
    def __init__(self, launch_description_source, launch_arguments=None, condition=None, **kwargs):
        super().__init__(condition, **kwargs)
        self.source = launch_description_source
        self.launch_arguments = list(launch_arguments or [])


class OpaqueFunction(Action):
    def __init__(self, function, args=None, kwargs=None, condition=None):
        super().__init__(condition)
        self.function, self.args, self.function_kwargs = function, args or [], kwargs or {}


class GroupAction(Action):
    def __init__(self, actions, condition=None, **kwargs):
        super().__init__(condition, **kwargs)
        self.actions = actions


class SetLaunchConfiguration(Action):
    def __init__(self, name, value, condition=None):
        super().__init__(condition)
        self.name, self.value = name, value


class LogInfo(Action):
    def __init__(self, msg='', condition=None, **kwargs):
        super().__init__(condition, **kwargs)


class Node(Action):
    def __init__(self, executable, package=None, name=None, namespace=None, parameters=None, remappings=None,
                 arguments=None, ros_arguments=None, condition=None, **kwargs):
        super().__init__(condition, **kwargs)
        self.executable, self.package, self.name, self.namespace = executable, package, name, namespace
        self.parameters, self.remappings = parameters or [], remappings or []
        self.arguments, self.ros_arguments = arguments or [], ros_arguments or []


class PythonLaunchDescriptionSource:
    def __init__(self, launch_file_path):
        self.path = launch_file_path


class LaunchDescription:
    def __init__(self, initial_entities=None):
        self.entities = list(initial_entities or [])

    def add_action(self, action):
        self.entities.append(action)


def install_stubs(share_directory):
    def module(name, **members):
        m = types.ModuleType(name)
        m.__dict__.update(members)
        sys.modules[name] = m
        return m

    def get_package_share_directory(package_name):
        if package_name != 'anyrecon':
            raise LookupError(f"package '{package_name}' not found (the probe knows only anyrecon)")
        return share_directory

    module('launch', LaunchDescription=LaunchDescription, LaunchContext=Context, Substitution=Substitution)
    module('launch.actions', DeclareLaunchArgument=DeclareLaunchArgument, ExecuteProcess=ExecuteProcess,
           IncludeLaunchDescription=IncludeLaunchDescription, OpaqueFunction=OpaqueFunction, GroupAction=GroupAction,
           SetLaunchConfiguration=SetLaunchConfiguration, LogInfo=LogInfo)
    module('launch.substitutions', LaunchConfiguration=LaunchConfiguration, TextSubstitution=TextSubstitution)
    module('launch.conditions', IfCondition=IfCondition, UnlessCondition=UnlessCondition)
    module('launch.launch_description_sources', PythonLaunchDescriptionSource=PythonLaunchDescriptionSource)
    module('launch_ros')
    module('launch_ros.actions', Node=Node)
    module('ament_index_python')
    module('ament_index_python.packages', get_package_share_directory=get_package_share_directory)
    sys.modules['launch'].actions = sys.modules['launch.actions']
    sys.modules['launch'].substitutions = sys.modules['launch.substitutions']
    sys.modules['launch'].conditions = sys.modules['launch.conditions']
    sys.modules['launch'].launch_description_sources = sys.modules['launch.launch_description_sources']
    sys.modules['launch_ros'].actions = sys.modules['launch_ros.actions']
    sys.modules['ament_index_python'].packages = sys.modules['ament_index_python.packages']


_loaded = 0


def load_description(path):
    global _loaded
    _loaded += 1
    spec = importlib.util.spec_from_file_location(f'launch_file_{_loaded}', path)
    launch_module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(launch_module)
    return launch_module.generate_launch_description()


def evaluate(path, context, report):
    """Visits a launch file's entities in order, as ros2 launch would, recording what they start."""
    visit(load_description(path).entities, path, context, report)


def visit(entities, path, context, report):
    for entity in entities:
        if entity.condition is not None and not entity.condition.evaluate(context):
            enabled = False
        else:
            enabled = True
        if isinstance(entity, DeclareLaunchArgument):
            default = render(entity.default_value, context)
            report['arguments'].append({'file': path, 'name': entity.name, 'default': default,
                                        'description': entity.description})
            if entity.name not in context.launch_configurations:
                if default is None:
                    raise SubstitutionFailure(f"required launch argument '{entity.name}' was not given")
                context.launch_configurations[entity.name] = default
        elif isinstance(entity, Node):
            report['nodes'].append({
                'file': path, 'enabled': enabled, 'package': render(entity.package, context),
                'executable': render(entity.executable, context), 'name': render(entity.name, context),
                'namespace': render(entity.namespace, context),
                'arguments': [render(a, context) for a in entity.arguments],
                'ros_arguments': [render(a, context) for a in entity.ros_arguments],
                'parameters': [render_value(p, context) if isinstance(p, dict) else {'file': render(p, context)}
                               for p in entity.parameters],
                'remappings': [[render(f, context), render(t, context)] for f, t in entity.remappings],
            })
        elif isinstance(entity, ExecuteProcess):
            report['processes'].append({'file': path, 'enabled': enabled,
                                        'cmd': [render(c, context) for c in entity.cmd]})
        elif not enabled:
            continue
        elif isinstance(entity, IncludeLaunchDescription):
            included = render(entity.source.path, context)
            arguments = {render(k, context): render(v, context) for k, v in entity.launch_arguments}
            report['includes'].append({'file': path, 'path': included, 'launch_arguments': arguments})
            # The included file sees the including file's configurations and its launch_arguments, as in launch.
            evaluate(included, Context({**context.launch_configurations, **arguments}), report)
        elif isinstance(entity, OpaqueFunction):
            visit(entity.function(context, *entity.args, **entity.function_kwargs) or [], path, context, report)
        elif isinstance(entity, GroupAction):
            visit(entity.actions, path, Context(context.launch_configurations), report)
        elif isinstance(entity, SetLaunchConfiguration):
            context.launch_configurations[render(entity.name, context)] = render(entity.value, context)
        elif isinstance(entity, LogInfo):
            pass
        else:
            raise TypeError(f'the probe does not know {type(entity).__name__}')


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--share', required=True, help="what get_package_share_directory('anyrecon') returns")
    parser.add_argument('launch_file')
    parser.add_argument('launch_arguments', nargs='*', help='name:=value')
    options = parser.parse_args()
    install_stubs(options.share)
    overrides = dict(a.split(':=', 1) for a in options.launch_arguments)
    report = {'arguments': [], 'nodes': [], 'processes': [], 'includes': []}
    evaluate(options.launch_file, Context(overrides), report)
    json.dump(report, sys.stdout, indent=1)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
