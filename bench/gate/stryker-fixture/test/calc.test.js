const test = require('node:test');
const assert = require('node:assert');
const { clamp, sign } = require('../src/calc.js');
test('clamp', () => { assert.strictEqual(clamp(-5, 0, 10), 0); assert.strictEqual(clamp(50, 0, 10), 10); });
test('sign', () => { assert.strictEqual(sign(3), 1); });
