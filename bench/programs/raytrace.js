// A small CPU-heavy ray tracer (spheres, a plane, one light, shadows, reflections), used by
// bench/run.mjs as "our program": every line of it is recorded under the default filter.
// Usage: node raytrace.js [SIZE]   renders a SIZE x SIZE image and prints a checksum.

function vec(x, y, z) {
  return { x, y, z };
}
function add(a, b) {
  return vec(a.x + b.x, a.y + b.y, a.z + b.z);
}
function sub(a, b) {
  return vec(a.x - b.x, a.y - b.y, a.z - b.z);
}
function scale(a, k) {
  return vec(a.x * k, a.y * k, a.z * k);
}
function dot(a, b) {
  return a.x * b.x + a.y * b.y + a.z * b.z;
}
function norm(a) {
  const len = Math.sqrt(dot(a, a));
  return scale(a, 1 / len);
}

function hitSphere(sphere, origin, dir) {
  const oc = sub(origin, sphere.center);
  const b = dot(oc, dir);
  const c = dot(oc, oc) - sphere.radius * sphere.radius;
  const disc = b * b - c;
  if (disc < 0) return -1;
  const t = -b - Math.sqrt(disc);
  return t > 1e-4 ? t : -1;
}

function hitPlane(origin, dir) {
  if (Math.abs(dir.y) < 1e-6) return -1;
  const t = (-1 - origin.y) / dir.y;
  return t > 1e-4 ? t : -1;
}

const scene = [
  { center: vec(0, 0, -4), radius: 1, color: vec(0.9, 0.2, 0.2), reflect: 0.3 },
  { center: vec(2, 0.2, -5), radius: 1.2, color: vec(0.2, 0.9, 0.2), reflect: 0.5 },
  { center: vec(-2, -0.3, -3.5), radius: 0.7, color: vec(0.2, 0.3, 0.9), reflect: 0.1 },
];
const light = norm(vec(-1, 2, 1));

function closest(origin, dir) {
  let best = Infinity;
  let hit = null;
  for (const s of scene) {
    const t = hitSphere(s, origin, dir);
    if (t > 0 && t < best) {
      best = t;
      hit = s;
    }
  }
  const tp = hitPlane(origin, dir);
  if (tp > 0 && tp < best) {
    return { t: tp, obj: null };
  }
  return hit ? { t: best, obj: hit } : null;
}

function trace(origin, dir, depth) {
  const h = closest(origin, dir);
  if (h === null) return vec(0.5, 0.7, 1.0);
  const p = add(origin, scale(dir, h.t));
  let normal;
  let color;
  let reflect;
  if (h.obj === null) {
    normal = vec(0, 1, 0);
    const check = (Math.floor(p.x) + Math.floor(p.z)) & 1;
    color = check ? vec(0.9, 0.9, 0.9) : vec(0.2, 0.2, 0.2);
    reflect = 0.2;
  } else {
    normal = norm(sub(p, h.obj.center));
    color = h.obj.color;
    reflect = h.obj.reflect;
  }
  let diffuse = Math.max(0, dot(normal, light));
  if (diffuse > 0 && closest(p, light) !== null) diffuse *= 0.3;
  let result = scale(color, 0.1 + 0.9 * diffuse);
  if (depth < 3 && reflect > 0) {
    const r = sub(dir, scale(normal, 2 * dot(dir, normal)));
    result = add(scale(result, 1 - reflect), scale(trace(p, norm(r), depth + 1), reflect));
  }
  return result;
}

function render(size) {
  let checksum = 0;
  const eye = vec(0, 0, 0);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const dir = norm(vec((x - size / 2) / size, (size / 2 - y) / size, -1));
      const c = trace(eye, dir, 0);
      checksum += Math.round(c.x * 255) + Math.round(c.y * 255) * 3 + Math.round(c.z * 255) * 7;
    }
  }
  return checksum;
}

const size = Number(process.argv[2] || 64);
console.log(`raytrace ${size}x${size} checksum ${render(size)}`);
