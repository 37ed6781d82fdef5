using AnyRecon.Ros.Geometry;

namespace AnyRecon.Ros.Completion;

/// <summary>
/// Completes a target view from geometry alone:
/// <list type="number">
/// <item>every retrieved keyframe is forward-warped into the target (its depth unprojected, moved, projected, splatted
/// bilinearly on 2×2 pixels) with a z-buffer over all keyframes; samples within <see cref="DepthToleranceMeters"/> (plus 1 %) of the
/// nearest at a pixel are blended, weighted by how alike the keyframe's and the target's viewing directions are;</item>
/// <item>where the guidance render has a surface its depth and confidence stand (source Observed) and warped colour
/// of the same surface is averaged in; where the guidance has a hole, the warped samples take over (source Warped);</item>
/// <item>what is still empty is filled by push-pull interpolation of colour and depth (source Filled), with
/// confidence <see cref="FilledConfidenceNear"/> within 4 pixels of known ones and <see cref="FilledConfidenceFar"/> beyond.</item>
/// </list>
/// </summary>
public sealed class GeometricViewCompleter : IViewCompleter
{
    public const float DepthToleranceMeters = 0.03f;
    public const float FilledConfidenceNear = 0.3f;
    public const float FilledConfidenceFar = 0.1f;

    public string Name => "geometric";


    public CompletedView Complete(CompletionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var k = request.Intrinsics;
        var g = request.Guidance;
        if (g.Width != k.Width || g.Height != k.Height) throw new ArgumentException($"guidance is {g.Width}x{g.Height}, target {k.Width}x{k.Height}", nameof(request));
        int n = k.Width * k.Height;
        var z = new float[n];
        Array.Fill(z, float.MaxValue);
        var targetFromWorld = request.WorldFromCamera.Inverse();

        // Pass 1: nearest warped depth per target pixel.
        foreach (var keyframe in request.Retrieved)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Only splats that carry most of a sample decide visibility: a sliver of a foreground point must not hide the background.
            Warp(keyframe, k, targetFromWorld, request.WorldFromCamera.Translation, (pixel, depth, _, weight) => { if (weight >= 0.25f && depth < z[pixel]) z[pixel] = depth; }, viewWeight: false);
        }
        // Pass 2: blend the samples on the nearest surface.
        var sum = new float[n * 3];
        var weights = new float[n];
        foreach (var keyframe in request.Retrieved)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var rgb = keyframe.Color.Rgb;
            Warp(keyframe, k, targetFromWorld, request.WorldFromCamera.Translation, (pixel, depth, source, weight) =>
            {
                if (depth > z[pixel] * 1.01f + DepthToleranceMeters) return;
                sum[pixel * 3] += rgb[source * 3] * weight;
                sum[pixel * 3 + 1] += rgb[source * 3 + 1] * weight;
                sum[pixel * 3 + 2] += rgb[source * 3 + 2] * weight;
                weights[pixel] += weight;
            });
        }

        var view = new CompletedView(k.Width, k.Height);
        for (int i = 0; i < n; i++)
        {
            bool guided = g.Depth[i] > 0;
            bool warped = weights[i] > 0;
            if (guided)
            {
                view.Depth[i] = g.Depth[i];
                view.Confidence[i] = g.Confidence[i];
                view.Source[i] = PixelSource.Observed;
                // Warped colour of the same surface carries the keyframes' detail, the voxels' colour their average
                // over many frames: half of each beat either alone on the synthetic rooms.
                bool agrees = warped && Math.Abs(z[i] - g.Depth[i]) <= DepthToleranceMeters + 0.01f * g.Depth[i];
                for (int c = 0; c < 3; c++)
                    view.Rgb[i * 3 + c] = agrees ? (byte)(0.5f * (sum[i * 3 + c] / weights[i] + g.Rgb[i * 3 + c]) + 0.5f) : g.Rgb[i * 3 + c];
            }
            else if (warped)
            {
                view.Depth[i] = z[i];
                view.Confidence[i] = Math.Min(1f, weights[i]) * 0.9f;
                view.Source[i] = PixelSource.Warped;
                for (int c = 0; c < 3; c++) view.Rgb[i * 3 + c] = (byte)(sum[i * 3 + c] / weights[i] + 0.5f);
            }
        }
        PushPullFill(view);
        return view;
    }

    /// <summary>
    /// Calls <paramref name="sample"/>(target pixel, depth, keyframe pixel, weight) for every splat of the keyframe's
    /// valid depth: each point lands on the four pixels around its projection with bilinear weights (times the
    /// viewing-direction similarity when <paramref name="viewWeight"/>), so a warp into the keyframe's own pose
    /// reproduces it exactly and small magnifications leave no cracks.
    /// </summary>
    private static void Warp(CaptureViews.Keyframe keyframe, PinholeIntrinsics k, RigidTransform targetFromWorld, Vector3d targetCentre, Action<int, float, int, float> sample,
        bool viewWeight = true)
    {
        var kk = keyframe.Intrinsics;
        var targetFromKeyframe = targetFromWorld * keyframe.WorldFromCamera;
        var keyframeCentre = keyframe.WorldFromCamera.Translation;
        var metres = keyframe.Depth.Metres;
        for (int v = 0; v < kk.Height; v++)
            for (int u = 0; u < kk.Width; u++)
            {
                int source = v * kk.Width + u;
                float d = metres[source];
                if (!(d > 0) || !float.IsFinite(d)) continue;
                var local = kk.BackProject(u, v, d);
                var p = targetFromKeyframe.Apply(local);
                if (p.Z <= 0.05) continue;
                double x = k.Fx * p.X / p.Z + k.Cx, y = k.Fy * p.Y / p.Z + k.Cy;
                int x0 = (int)Math.Floor(x), y0 = (int)Math.Floor(y);
                if (x0 < -1 || y0 < -1 || x0 >= k.Width || y0 >= k.Height) continue;
                float weight = 1;
                if (viewWeight)
                {
                    // Viewing-direction similarity at this surface point: rays from both cameras to it.
                    var world = keyframe.WorldFromCamera.Apply(local);
                    var a = world - keyframeCentre; var b = world - targetCentre;
                    double cos = Vector3d.Dot(a, b) / (a.Length * b.Length);
                    weight = (float)Math.Max(0.05, cos * cos);
                }
                double fx = x - x0, fy = y - y0;
                for (int dy = 0; dy <= 1; dy++)
                    for (int dx = 0; dx <= 1; dx++)
                    {
                        int tx = x0 + dx, ty = y0 + dy;
                        if (tx < 0 || ty < 0 || tx >= k.Width || ty >= k.Height) continue;
                        float bilinear = (float)((dx == 0 ? 1 - fx : fx) * (dy == 0 ? 1 - fy : fy));
                        if (bilinear < 1e-3f) continue;
                        sample(ty * k.Width + tx, (float)p.Z, source, weight * bilinear);
                    }
            }
    }

    /// <summary>Fills empty pixels from a pyramid of weighted averages (pull: 2×2 means up; push: coarser values down).</summary>
    private static void PushPullFill(CompletedView view)
    {
        int w = view.Width, h = view.Height;
        var levels = new List<(float[] Values, float[] Weight, int W, int H)>();
        var values = new float[w * h * 4];
        var weight = new float[w * h];
        for (int i = 0; i < w * h; i++)
        {
            if (view.Source[i] == PixelSource.Empty) continue;
            weight[i] = 1;
            values[i * 4] = view.Rgb[i * 3];
            values[i * 4 + 1] = view.Rgb[i * 3 + 1];
            values[i * 4 + 2] = view.Rgb[i * 3 + 2];
            values[i * 4 + 3] = view.Depth[i];
        }
        levels.Add((values, weight, w, h));
        while (w > 1 || h > 1)
        {
            int cw = (w + 1) / 2, ch = (h + 1) / 2;
            var cv = new float[cw * ch * 4];
            var cwgt = new float[cw * ch];
            var (fv, fw, _, _) = levels[^1];
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    int f = y * w + x, c = (y / 2) * cw + x / 2;
                    if (fw[f] <= 0) continue;
                    cwgt[c] += fw[f];
                    for (int j = 0; j < 4; j++) cv[c * 4 + j] += fv[f * 4 + j] * fw[f];
                }
            for (int c = 0; c < cw * ch; c++)
            {
                if (cwgt[c] <= 0) continue;
                for (int j = 0; j < 4; j++) cv[c * 4 + j] /= cwgt[c];
                cwgt[c] = Math.Min(1f, cwgt[c]);
            }
            levels.Add((cv, cwgt, cw, ch));
            w = cw;
            h = ch;
        }
        // Push: each level's empty pixels take the (already filled) coarser value.
        for (int l = levels.Count - 2; l >= 0; l--)
        {
            var (fv, fw, fwid, fh) = levels[l];
            var (cv, _, cwid, _) = levels[l + 1];
            for (int y = 0; y < fh; y++)
                for (int x = 0; x < fwid; x++)
                {
                    int f = y * fwid + x, c = (y / 2) * cwid + x / 2;
                    float a = fw[f];
                    if (a >= 1) continue;
                    for (int j = 0; j < 4; j++) fv[f * 4 + j] = a * fv[f * 4 + j] + (1 - a) * cv[c * 4 + j];
                }
        }
        var filled = levels[0].Values;
        // Level 2 (4×4 pixels) knew something here: the fill is local.
        var near = levels.Count > 2 ? levels[2] : levels[^1];
        for (int y = 0; y < view.Height; y++)
            for (int x = 0; x < view.Width; x++)
            {
                int i = y * view.Width + x;
                if (view.Source[i] != PixelSource.Empty || !(filled[i * 4 + 3] > 0)) continue;
                for (int c = 0; c < 3; c++) view.Rgb[i * 3 + c] = (byte)Math.Clamp(filled[i * 4 + c] + 0.5f, 0, 255);
                view.Depth[i] = filled[i * 4 + 3];
                view.Source[i] = PixelSource.Filled;
                int nx = Math.Min(near.W - 1, x >> (levels.Count > 2 ? 2 : 0)), ny = Math.Min(near.H - 1, y >> (levels.Count > 2 ? 2 : 0));
                view.Confidence[i] = near.Weight[ny * near.W + nx] > 0 ? FilledConfidenceNear : FilledConfidenceFar;
            }
    }
}
