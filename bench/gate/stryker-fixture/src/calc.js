function clamp(x, low, high) {
  if (x < low) return low;
  if (x > high) return high;
  return x;
}
function sign(n) {
  if (n > 0) return 1;
  if (n < 0) return -1;
  return 0;
}
module.exports = { clamp, sign };
