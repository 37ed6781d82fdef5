"""Replays a bag into the anyrecon node on sim time, with rviz2 showing the map.

    ros2 launch anyrecon replay.launch.py bag:=BAG [rate:=1.0] [rviz:=true] [params_file:=FILE]

Runs `ros2 bag play BAG --clock --rate RATE`, node.launch.py with use_sim_time:=true and rviz2 with
config/anyrecon.rviz. Without ROS 2: `anyrecon bag play BAG --clock` and `anyrecon node --ros-args -p use_sim_time:=true`.
"""
import os

from ament_index_python.packages import get_package_share_directory
from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, ExecuteProcess, IncludeLaunchDescription
from launch.conditions import IfCondition
from launch.launch_description_sources import PythonLaunchDescriptionSource
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node


def generate_launch_description():
    share = get_package_share_directory('anyrecon')
    return LaunchDescription([
        DeclareLaunchArgument('bag', description='the rosbag2 folder (or file) to play'),
        DeclareLaunchArgument('rate', default_value='1.0', description='playback rate'),
        DeclareLaunchArgument('rviz', default_value='true', description='start rviz2 with config/anyrecon.rviz'),
        DeclareLaunchArgument('params_file', default_value=os.path.join(share, 'config', 'anyrecon.yaml'),
                              description='node parameters (ROS 2 parameter file)'),
        # --clock publishes /clock from the bag's stamps, which the node and rviz2 follow (use_sim_time).
        ExecuteProcess(
            cmd=['ros2', 'bag', 'play', LaunchConfiguration('bag'), '--clock', '--rate', LaunchConfiguration('rate')],
            output='screen',
        ),
        IncludeLaunchDescription(
            PythonLaunchDescriptionSource(os.path.join(share, 'launch', 'node.launch.py')),
            launch_arguments={'use_sim_time': 'true', 'params_file': LaunchConfiguration('params_file')}.items(),
        ),
        Node(
            package='rviz2',
            executable='rviz2',
            name='rviz2',
            arguments=['-d', os.path.join(share, 'config', 'anyrecon.rviz')],
            parameters=[{'use_sim_time': True}],
            condition=IfCondition(LaunchConfiguration('rviz')),
            output='screen',
        ),
    ])
