using AnyRecon.Ros.Geometry;
using Xunit;

namespace AnyRecon.Ros.Synthetic.Tests;

public sealed class SyntheticSceneTests
{
    private static readonly PinholeIntrinsics s_camera = new(160, 120, 131.25, 131.25, 79.5, 59.5);

    [Fact]
    public void LookAt_OpticalAxes_PointAtTargetWithImageUpAlongWorldZ()
    {
        var eye = new Vector3d(1, -2, 1.5);
        var target = new Vector3d(-0.5, 0.5, 0.7);
        var pose = CameraPath.LookAt(eye, target);
        var forward = pose.Rotation.Rotate(new Vector3d(0, 0, 1));
        var toTarget = (target - eye) * (1 / (target - eye).Length);
        Assert.Equal(1, Vector3d.Dot(forward, toTarget), 9);
        var down = pose.Rotation.Rotate(new Vector3d(0, 1, 0));
        Assert.True(down.Z < 0, "image y (down) must point towards world -z");
        var right = pose.Rotation.Rotate(new Vector3d(1, 0, 0));
        Assert.Equal(0, right.Z, 9); // no roll
    }

    [Fact]
    public void Render_FacingAWall_DepthIsTheDistanceAcrossTheImage()
    {
        // Empty 4 x 4 x 3 m room; camera at the centre, 1.5 m up, looking along +x at the wall 2 m away.
        var room = new SceneBox(new Vector3d(-2, -2, 0), new Vector3d(2, 2, 3), new SceneSurface((100, 100, 100), (0, 0, 0)), Inside: true);
        var scene = new Scene("wall", room, [], [new Vector3d(0, 0, 1.5)], new Vector3d(1, 0, 1.5));
        var pose = CameraPath.LookAt(new Vector3d(0, 0, 1.5), new Vector3d(1, 0, 1.5));
        var frame = SceneRenderer.Render(scene, s_camera, pose);
        // A fronto-parallel wall has the same depth at every pixel that sees it (the image reaches ±0.6 m sideways at 2 m).
        for (int v = 0; v < s_camera.Height; v += 7)
            for (int u = 0; u < s_camera.Width; u += 9)
                Assert.Equal(2.0f, frame.Depth.Metres[v * s_camera.Width + u], 4);
        Assert.Equal(1.0f, frame.ViewCosines[60 * s_camera.Width + 80], 2);
    }

    [Theory]
    [InlineData("living_room")]
    [InlineData("office")]
    public void Render_EveryDepthPixel_BackProjectsOntoASceneSurface(string name)
    {
        var scene = SceneLibrary.Get(name);
        for (int i = 0; i < 100; i += 33)
        {
            var pose = CameraPath.WorldFromCamera(scene, i, 100);
            var frame = SceneRenderer.Render(scene, s_camera, pose);
            int valid = 0;
            for (int v = 0; v < s_camera.Height; v += 5)
                for (int u = 0; u < s_camera.Width; u += 5)
                {
                    float d = frame.Depth.Metres[v * s_camera.Width + u];
                    Assert.True(d > 0.2f, $"{name} frame {i} pixel ({u},{v}) has no depth: the room is closed");
                    var world = pose.Apply(s_camera.BackProject(u, v, d));
                    Assert.True(DistanceToSurfaces(scene, world) < 1e-4, $"{name} frame {i} pixel ({u},{v}) lands {DistanceToSurfaces(scene, world)} m off every surface");
                    valid++;
                }
            Assert.True(valid > 0);
        }
    }

    [Theory]
    [InlineData("living_room")]
    [InlineData("office")]
    public void CameraPath_StaysInsideTheRoomAndOutOfFurniture(string name)
    {
        var scene = SceneLibrary.Get(name);
        for (int i = 0; i < 400; i++)
        {
            var p = CameraPath.WorldFromCamera(scene, i, 400).Translation;
            Assert.True(Inside(scene.Room, p, margin: 0.3), $"frame {i} at {p} is too close to or outside the room");
            foreach (var box in scene.Furniture) Assert.False(Inside(box, p, margin: -0.2), $"frame {i} at {p} is inside furniture");
        }
    }

    [Fact]
    public void CameraPath_RevisitsItsStart()
    {
        // The path runs 1.25 laps: the last frames pass where the first ones were.
        var scene = SceneLibrary.Get("living_room");
        var first = CameraPath.WorldFromCamera(scene, 0, 200).Translation;
        double closest = Enumerable.Range(150, 50).Min(i => (CameraPath.WorldFromCamera(scene, i, 200).Translation - first).Length);
        Assert.True(closest < 0.1, $"closest later pass is {closest} m from the start");
    }

    [Fact]
    public void DepthNoise_SameSeedSameResult_StatisticsMatchTheModel()
    {
        var scene = SceneLibrary.Get("living_room");
        var pose = CameraPath.WorldFromCamera(scene, 10, 100);
        var exact = SceneRenderer.Render(scene, s_camera, pose);
        float[] Noisy(ulong seed)
        {
            var copy = (float[])exact.Depth.Metres.Clone();
            new DepthNoiseModel().Apply(copy, exact.ViewCosines, s_camera.Width, s_camera.Height, seed, 10);
            return copy;
        }
        var a = Noisy(7);
        Assert.Equal(a, Noisy(7));
        Assert.NotEqual(a, Noisy(8));

        double sumSquares = 0, sumSigma = 0;
        int kept = 0, dropped = 0;
        for (int i = 0; i < a.Length; i++)
        {
            if (a[i] == 0) { dropped++; continue; }
            double e = a[i] - exact.Depth.Metres[i];
            double sigma = DepthNoiseModel.AxialSigma(exact.Depth.Metres[i]);
            sumSquares += e * e / (sigma * sigma);
            sumSigma += sigma;
            kept++;
        }
        double normalizedRms = Math.Sqrt(sumSquares / kept);
        Assert.InRange(normalizedRms, 0.9, 1.1); // errors are σ(z)-Gaussian
        Assert.InRange(dropped / (double)a.Length, 0.005, 0.2);
    }

    [Fact]
    public void GroundTruthSurface_CellsCoverTheBoxAreaAndOnlySeenOnesAreKept()
    {
        var box = new SceneBox(new Vector3d(0, 0, 0), new Vector3d(1, 0.5, 0.25), new SceneSurface((1, 1, 1), (1, 1, 1)));
        var room = new SceneBox(new Vector3d(-3, -3, -1), new Vector3d(3, 3, 3), new SceneSurface((1, 1, 1), (1, 1, 1)), Inside: true);
        var scene = new Scene("t", room, [box], [new Vector3d(-2, 0.25, 0.125)], new Vector3d(0.5, 0.25, 0.125));
        var gt = new GroundTruthSurface(scene, cellMeters: 0.05);
        Assert.Equal(0, gt.SeenCount);
        var pose = CameraPath.LookAt(new Vector3d(-2, 0.25, 0.125), new Vector3d(0.5, 0.25, 0.125));
        var frame = SceneRenderer.Render(scene, s_camera, pose);
        gt.MarkVisible(s_camera, pose, frame.Depth, 10);
        // Facing the box's x = 0 face head-on: that face (0.5 x 0.25 m) is seen, its back face is not.
        var seen = gt.SeenTriangles().ToList();
        Assert.Contains(seen, t => t.A.X == 0 && t.B.X == 0 && t.C.X == 0);
        Assert.DoesNotContain(seen, t => t.A.X == 1 && t.B.X == 1 && t.C.X == 1);
        double boxFaceArea = seen.Where(t => t.A.X == 0 && t.B.X == 0 && t.C.X == 0).Sum(Area);
        Assert.Equal(0.5 * 0.25, boxFaceArea, 3);
    }

    private static double Area((Vector3d A, Vector3d B, Vector3d C) t) => Vector3d.Cross(t.B - t.A, t.C - t.A).Length / 2;

    private static bool Inside(SceneBox box, Vector3d p, double margin) =>
        p.X > box.Min.X + margin && p.X < box.Max.X - margin && p.Y > box.Min.Y + margin && p.Y < box.Max.Y - margin && p.Z > box.Min.Z + margin && p.Z < box.Max.Z - margin;

    private static double DistanceToSurfaces(Scene scene, Vector3d p) => scene.Boxes.Min(b => DistanceToBoxSurface(b, p));

    private static double DistanceToBoxSurface(SceneBox b, Vector3d p)
    {
        // Distance to the box's boundary (faces), whether p is inside or outside.
        double dx = Math.Max(Math.Max(b.Min.X - p.X, 0), p.X - b.Max.X);
        double dy = Math.Max(Math.Max(b.Min.Y - p.Y, 0), p.Y - b.Max.Y);
        double dz = Math.Max(Math.Max(b.Min.Z - p.Z, 0), p.Z - b.Max.Z);
        double outside = Math.Sqrt(dx * dx + dy * dy + dz * dz);
        if (outside > 0) return outside;
        return Math.Min(Math.Min(Math.Min(p.X - b.Min.X, b.Max.X - p.X), Math.Min(p.Y - b.Min.Y, b.Max.Y - p.Y)), Math.Min(p.Z - b.Min.Z, b.Max.Z - p.Z));
    }
}
