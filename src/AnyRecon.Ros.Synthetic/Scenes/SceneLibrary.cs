using AnyRecon.Ros.Geometry;

namespace AnyRecon.Ros.Synthetic;

/// <summary>The named scenes <c>anyrecon synth --scene</c> renders. Their constants are fixed: changing them changes every recording.</summary>
public static class SceneLibrary
{
    public static IReadOnlyList<string> Names { get; } = ["living_room", "office"];

    public static Scene Get(string name) => name switch
    {
        "living_room" => LivingRoom(),
        "office" => Office(),
        _ => throw new ArgumentException($"unknown scene '{name}' (known: {string.Join(", ", Names)})", nameof(name)),
    };

    private static SceneSurface Wall => new((214, 206, 190), (190, 180, 160), SurfacePattern.Noise, 0.35);

    private static SceneSurface Floor => new((150, 110, 70), (110, 75, 45), SurfacePattern.Stripes, 0.15);

    private static SceneBox Box(double x0, double y0, double z0, double x1, double y1, double z1, SceneSurface surface) =>
        new(new Vector3d(x0, y0, z0), new Vector3d(x1, y1, z1), surface);

    /// <summary>5 × 4 × 2.6 m: sofa, coffee table, shelf, armchair, side table, a box on the table.</summary>
    private static Scene LivingRoom()
    {
        var room = new SceneBox(new Vector3d(-2.5, -2.0, 0), new Vector3d(2.5, 2.0, 2.6), Wall, Inside: true, FloorSurface: Floor);
        SceneBox[] furniture =
        [
            Box(-2.4, 0.9, 0.0, -0.6, 1.9, 0.45, new((60, 80, 140), (40, 55, 110), SurfacePattern.Noise, 0.1)),   // sofa seat
            Box(-2.4, 1.6, 0.45, -0.6, 1.9, 0.9, new((60, 80, 140), (40, 55, 110), SurfacePattern.Noise, 0.1)),   // sofa back
            Box(-1.0, -0.3, 0.0, 0.2, 0.4, 0.42, new((120, 70, 40), (90, 50, 25), SurfacePattern.Stripes, 0.05)), // coffee table
            Box(-0.5, -0.1, 0.42, -0.2, 0.2, 0.62, new((200, 40, 40), (240, 200, 60), SurfacePattern.Checker, 0.05)), // box on table
            Box(1.7, -1.9, 0.0, 2.4, -0.3, 1.9, new((230, 230, 225), (150, 150, 145), SurfacePattern.Checker, 0.2)),  // shelf
            Box(1.2, 1.0, 0.0, 2.0, 1.8, 0.7, new((90, 140, 80), (60, 100, 50), SurfacePattern.Noise, 0.08)),       // armchair
            Box(-2.3, -1.8, 0.0, -1.8, -1.3, 0.55, new((80, 60, 50), (200, 180, 150), SurfacePattern.Stripes, 0.03)), // side table
        ];
        Vector3d[] path =
        [
            new(-1.8, -1.2, 1.4), new(0.0, -1.5, 1.5), new(1.1, -0.8, 1.3), new(1.0, 0.8, 1.6), new(-0.6, 0.5, 1.4), new(-1.9, -0.4, 1.5),
        ];
        return new Scene("living_room", room, furniture, path, new Vector3d(0, 0, 0.6));
    }

    /// <summary>4 × 3.5 × 2.7 m: two desks, a cabinet, a column, a chair block, a printer.</summary>
    private static Scene Office()
    {
        var room = new SceneBox(new Vector3d(-2.0, -1.75, 0), new Vector3d(2.0, 1.75, 2.7), new((180, 190, 200), (150, 160, 175), SurfacePattern.Noise, 0.4), Inside: true,
            FloorSurface: new((90, 90, 100), (140, 140, 150), SurfacePattern.Checker, 0.5));
        SceneBox[] furniture =
        [
            Box(-1.9, 0.9, 0.7, -0.3, 1.65, 0.75, new((170, 140, 100), (140, 110, 80), SurfacePattern.Stripes, 0.04)), // desk top
            Box(-1.9, 0.9, 0.0, -1.8, 1.65, 0.7, new((60, 60, 60), (90, 90, 90))),                                   // desk leg panel
            Box(-0.4, 0.9, 0.0, -0.3, 1.65, 0.7, new((60, 60, 60), (90, 90, 90))),                                   // desk leg panel
            Box(0.6, -1.65, 0.0, 1.9, -1.0, 0.75, new((170, 140, 100), (140, 110, 80), SurfacePattern.Stripes, 0.04)), // second desk (block)
            Box(1.4, 0.8, 0.0, 1.9, 1.65, 1.4, new((100, 110, 130), (200, 200, 210), SurfacePattern.Checker, 0.15)),  // cabinet
            Box(-0.2, -0.2, 0.0, 0.2, 0.2, 2.7, new((220, 220, 220), (180, 180, 180), SurfacePattern.Noise, 0.2)),    // column
            Box(-1.2, 0.3, 0.0, -0.7, 0.8, 0.5, new((30, 30, 35), (200, 30, 30), SurfacePattern.Checker, 0.1)),       // chair block
            Box(1.0, -1.5, 0.75, 1.4, -1.15, 1.0, new((240, 240, 240), (30, 30, 30), SurfacePattern.Stripes, 0.02)),  // printer
        ];
        Vector3d[] path =
        [
            new(-1.5, -1.2, 1.5), new(0.8, -0.6, 1.6), new(1.2, 0.4, 1.4), new(0.5, 1.2, 1.7), new(-1.0, -0.2, 1.5),
        ];
        return new Scene("office", room, furniture, path, new Vector3d(0, 0.2, 0.7));
    }
}
