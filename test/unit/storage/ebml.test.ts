import { expect } from 'chai';
import {
  encodeId, encodeVint, floatElement, intElement, masterElement, stringElement, uintElement,
  unknownSizeHeader, unknownSizeVint, vintLength, voidElement,
} from '../../../src/storage/mkv/ebml.js';

const hex = (b: Buffer): string => b.toString('hex');

describe('EBML encoding', () => {
  it('encodes size vints in the fewest bytes, with the marker bit', () => {
    expect(hex(encodeVint(0))).to.equal('80');
    expect(hex(encodeVint(1))).to.equal('81');
    expect(hex(encodeVint(126))).to.equal('fe');
    // 127 is the 1-byte "unknown" pattern, so it needs two bytes.
    expect(hex(encodeVint(127))).to.equal('407f');
    expect(hex(encodeVint(16382))).to.equal('7ffe');
    expect(hex(encodeVint(16383))).to.equal('203fff');
    expect(vintLength(2 ** 53)).to.equal(8);
  });

  it('widens a vint on request and refuses values that do not fit', () => {
    expect(hex(encodeVint(5, 8))).to.equal('0100000000000005');
    expect(() => encodeVint(127, 1)).to.throw(RangeError);
    expect(() => encodeVint(-1)).to.throw(RangeError);
    expect(() => encodeVint(1, 9)).to.throw(RangeError);
  });

  it('writes the unknown-size patterns', () => {
    expect(hex(unknownSizeVint(1))).to.equal('ff');
    expect(hex(unknownSizeVint(8))).to.equal('01ffffffffffffff');
    expect(hex(unknownSizeHeader(0x1f43b675))).to.equal('1f43b67501ffffffffffffff');
  });

  it('writes IDs as spelled, 1 to 4 bytes', () => {
    expect(hex(encodeId(0xa3))).to.equal('a3');
    expect(hex(encodeId(0x4286))).to.equal('4286');
    expect(hex(encodeId(0x2ad7b1))).to.equal('2ad7b1');
    expect(hex(encodeId(0x1a45dfa3))).to.equal('1a45dfa3');
  });

  it('encodes unsigned, signed, float and string elements', () => {
    expect(hex(uintElement(0xd7, 1))).to.equal('d78101');
    expect(hex(uintElement(0xd7, 0))).to.equal('d78100');
    expect(hex(uintElement(0x2ad7b1, 1_000_000))).to.equal('2ad7b1830f4240');
    expect(hex(uintElement(0x53ac, 300, 8))).to.equal('53ac88000000000000012c');
    expect(hex(uintElement(0xf1, 2n ** 56n - 1n))).to.equal('f187ffffffffffffff');
    expect(hex(intElement(0xfb, -1))).to.equal('fb81ff');
    expect(hex(intElement(0xfb, 128))).to.equal('fb820080');
    expect(hex(floatElement(0x4489, 1.5))).to.equal('4489883ff8000000000000');
    expect(hex(stringElement(0x86, 'V_MJPEG'))).to.equal('8687565f4d4a504547');
  });

  it('nests master elements with their payload size', () => {
    const master = masterElement(0xe0, [uintElement(0xb0, 320), uintElement(0xba, 240)]);
    expect(hex(master)).to.equal('e087b0820140ba81f0');
  });

  it('builds Void elements of an exact total length', () => {
    for (const total of [2, 11, 68, 128, 129, 130, 20000]) {
      const element = voidElement(total);
      expect(element.length, `total ${total}`).to.equal(total);
      expect(element[0]).to.equal(0xec);
    }
    expect(() => voidElement(1)).to.throw(RangeError);
  });
});
