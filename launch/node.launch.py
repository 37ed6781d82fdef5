"""The anyrecon mapping node (`anyrecon node`) with config/anyrecon.yaml.

    ros2 launch anyrecon node.launch.py [namespace:=NS] [use_sim_time:=true] [params_file:=FILE]
        [color_topic:=T] [depth_topic:=T] [camera_info_topic:=T] [map_directory:=DIR]

The topic arguments remap the default camera's inputs; map_directory, when given, overrides the params file.
"""
import os

from ament_index_python.packages import get_package_share_directory
from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, OpaqueFunction
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node

# The default camera's inputs (config/anyrecon.yaml, camera.*), the "from" side of the topic remappings.
DEFAULT_COLOR_TOPIC = '/camera/color/image_raw'
DEFAULT_DEPTH_TOPIC = '/camera/depth/image_rect_raw'
DEFAULT_CAMERA_INFO_TOPIC = '/camera/color/camera_info'


def _flag(name, text):
    value = text.strip().lower()
    if value in ('true', '1', 'yes', 'on'):
        return True
    if value in ('false', '0', 'no', 'off'):
        return False
    raise ValueError(f'launch argument {name}:={text}: expected true or false')


def _node(context):
    # Resolved here rather than with substitutions: an empty map_directory must leave the parameter out entirely,
    # so that the params file's value stays, and use_sim_time must reach the node as a bool.
    def arg(name):
        return LaunchConfiguration(name).perform(context)

    overrides = {'use_sim_time': _flag('use_sim_time', arg('use_sim_time'))}
    if arg('map_directory'):
        overrides['map_directory'] = arg('map_directory')
    return [Node(
        package='anyrecon',
        executable='anyrecon',
        name='anyrecon',
        namespace=arg('namespace'),
        # launch_ros appends --ros-args (name, namespace, parameters, remappings): `anyrecon node --ros-args ...`.
        arguments=['node'],
        parameters=[arg('params_file'), overrides],
        remappings=[
            (DEFAULT_COLOR_TOPIC, arg('color_topic')),
            (DEFAULT_DEPTH_TOPIC, arg('depth_topic')),
            (DEFAULT_CAMERA_INFO_TOPIC, arg('camera_info_topic')),
        ],
        output='screen',
    )]


def generate_launch_description():
    share = get_package_share_directory('anyrecon')
    return LaunchDescription([
        DeclareLaunchArgument('namespace', default_value='', description='namespace of the node (topics become /NS/anyrecon/...)'),
        DeclareLaunchArgument('use_sim_time', default_value='false', description='take time from /clock (a bag played with --clock)'),
        DeclareLaunchArgument('params_file', default_value=os.path.join(share, 'config', 'anyrecon.yaml'),
                              description='node parameters (ROS 2 parameter file)'),
        DeclareLaunchArgument('color_topic', default_value=DEFAULT_COLOR_TOPIC, description='colour images (sensor_msgs/Image)'),
        DeclareLaunchArgument('depth_topic', default_value=DEFAULT_DEPTH_TOPIC, description='depth images registered to the colour camera'),
        DeclareLaunchArgument('camera_info_topic', default_value=DEFAULT_CAMERA_INFO_TOPIC, description='CameraInfo of the depth image'),
        DeclareLaunchArgument('map_directory', default_value='', description='map directory; empty keeps the params file value'),
        OpaqueFunction(function=_node),
    ])
