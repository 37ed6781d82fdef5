using AnyRecon.Ros.Geometry;
using AnyRecon.Ros.Imaging;

namespace AnyRecon.Ros.Synthetic;

/// <summary>One rendered RGB-D frame: exact depth (metres along the optical axis) and shaded colour.</summary>
public sealed record RenderedFrame(ColorImage Color, DepthImage Depth, float[] ViewCosines);

/// <summary>Ray-casts a <see cref="Scene"/> through a pinhole camera: one ray per pixel centre, Lambert shading under a fixed light.</summary>
public static class SceneRenderer
{
    private static readonly Vector3d s_light = Normalize(new Vector3d(0.3, 0.5, 0.8));

    public static RenderedFrame Render(Scene scene, PinholeIntrinsics camera, RigidTransform worldFromCamera)
    {
        int w = camera.Width, h = camera.Height;
        var rgb = new byte[w * h * 3];
        var depth = new float[w * h];
        var cosines = new float[w * h];
        var rotation = worldFromCamera.Rotation;
        var origin = worldFromCamera.Translation;
        Parallel.For(0, h, v =>
        {
            for (int u = 0; u < w; u++)
            {
                // Ray with optical z = 1, so the hit distance t is the depth.
                var rayCamera = new Vector3d((u - camera.Cx) / camera.Fx, (v - camera.Cy) / camera.Fy, 1);
                var ray = rotation.Rotate(rayCamera);
                int i = v * w + u;
                if (!scene.Trace(origin, ray, out double t, out var normal, out var surface)) continue;
                var hit = origin + ray * t;
                depth[i] = (float)t;
                cosines[i] = (float)(Math.Abs(Vector3d.Dot(normal, ray)) / ray.Length);
                var (r, g, b) = surface.ColorAt(hit);
                double shade = 0.55 + 0.45 * Math.Max(0, Vector3d.Dot(normal, s_light));
                rgb[3 * i] = ToByte(r * shade);
                rgb[3 * i + 1] = ToByte(g * shade);
                rgb[3 * i + 2] = ToByte(b * shade);
            }
        });
        return new RenderedFrame(new ColorImage(w, h, rgb), new DepthImage(w, h, depth), cosines);
    }

    private static byte ToByte(double value) => (byte)Math.Clamp(Math.Round(value), 0, 255);

    private static Vector3d Normalize(Vector3d v) => v * (1 / v.Length);
}
