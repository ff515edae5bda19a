"""Badge QR codes (version 5, level M, alphanumeric, mask 2) made from tables computed once."""

ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
VERSION = 5
SIDE = 4 * VERSION + 17  # 37 modules
CAPACITY = 122  # alphanumeric characters at version 5, level M
BLOCKS, DATA_PER_BLOCK, EC_PER_BLOCK = 2, 43, 24
DATA_CODEWORDS = BLOCKS * DATA_PER_BLOCK
REMAINDER_BITS = 7
ALIGNMENT_CENTRE = 30
FORMAT = 0b00_010  # level M (00), mask pattern 2 (010)
LIGHT, DARK = 255, 0  # grayscale pixel values
_VALUE = {char: value for value, char in enumerate(ALPHANUMERIC)}


def fits(text: str) -> bool:
    return len(text) <= CAPACITY and all(char in _VALUE for char in text)


def modules(text: str, *, border: int = 4) -> list[bytes]:
    """The code's rows, one byte a module (0 dark, 255 light), with a light border.

    The same modules as qrcode.QRCode(version=5, error_correction=M, mask_pattern=2) in
    alphanumeric mode (a test compares them); text must fit (see fits).
    """
    layout = _LAYOUT
    pixels = bytearray(layout.template)
    bits = _codeword_bits(text)
    for index, bit, masked in zip(layout.positions, bits, layout.masked, strict=True):
        if (bit == "1") != masked:
            pixels[index] = DARK
    rows = [bytes(pixels[row * SIDE : (row + 1) * SIDE]) for row in range(SIDE)]
    light_row = bytes([LIGHT]) * (SIDE + 2 * border)
    edge = bytes([LIGHT]) * border
    return [light_row] * border + [edge + row + edge for row in rows] + [light_row] * border


def _codeword_bits(text: str) -> str:
    """Data and error correction codewords, interleaved by block, as bits; then the remainder."""
    data = _data_codewords(text)
    blocks = [data[i : i + DATA_PER_BLOCK] for i in range(0, DATA_CODEWORDS, DATA_PER_BLOCK)]
    corrections = [_error_correction(block) for block in blocks]
    interleaved = bytes(block[i] for i in range(DATA_PER_BLOCK) for block in blocks) + bytes(
        correction[i] for i in range(EC_PER_BLOCK) for correction in corrections
    )
    bits = format(int.from_bytes(interleaved, "big"), f"0{8 * len(interleaved)}b")
    return bits + "0" * REMAINDER_BITS


def _data_codewords(text: str) -> bytes:
    value, length = 0b0010, 4  # alphanumeric mode
    value, length = value << 9 | len(text), length + 9
    for i in range(0, len(text) - 1, 2):
        value, length = value << 11 | (_VALUE[text[i]] * 45 + _VALUE[text[i + 1]]), length + 11
    if len(text) % 2:
        value, length = value << 6 | _VALUE[text[-1]], length + 6
    capacity = 8 * DATA_CODEWORDS
    terminator = min(4, capacity - length)
    value, length = value << terminator, length + terminator
    value, length = value << (-length % 8), length + (-length % 8)
    data = value.to_bytes(length // 8, "big")
    padding = bytes([0xEC, 0x11]) * DATA_CODEWORDS
    return data + padding[: DATA_CODEWORDS - len(data)]


def _error_correction(block: bytes) -> bytes:
    """Reed-Solomon remainder, the 24 codewords kept as one integer shifted a byte at a time."""
    products = _GENERATOR_PRODUCTS
    top = 8 * (EC_PER_BLOCK - 1)
    mask = (1 << 8 * EC_PER_BLOCK) - 1
    remainder = 0
    for byte in block:
        factor = byte ^ (remainder >> top)
        remainder = ((remainder << 8) & mask) ^ products[factor]
    return remainder.to_bytes(EC_PER_BLOCK, "big")


def _generator_products() -> list[int]:
    """For each byte f: f times the generator's coefficients below the leading one, as an int."""
    exp, log = [0] * 512, [0] * 256
    value = 1
    for power in range(255):
        exp[power], log[value] = value, power
        value <<= 1
        if value & 0x100:
            value ^= 0x11D
    for power in range(255, 512):
        exp[power] = exp[power - 255]
    generator = [1]
    for root in range(EC_PER_BLOCK):
        shifted = [*generator, 0]
        for i, coefficient in enumerate(generator):
            if coefficient:
                shifted[i + 1] ^= exp[log[coefficient] + root]
        generator = shifted

    def times(factor: int, coefficient: int) -> int:
        return exp[log[factor] + log[coefficient]] if factor and coefficient else 0

    return [
        int.from_bytes(bytes(times(factor, c) for c in generator[1:]), "big")
        for factor in range(256)
    ]


class _Layout:
    """The function patterns drawn, and where each codeword bit goes and whether it is masked."""

    def __init__(self) -> None:
        self.template = bytearray([LIGHT]) * (SIDE * SIDE)
        self.reserved = bytearray(SIDE * SIDE)
        for row, col in ((0, 0), (0, SIDE - 7), (SIDE - 7, 0)):
            self._finder(row, col)
        for i in range(8, SIDE - 8):
            self._set(6, i, i % 2 == 0)
            self._set(i, 6, i % 2 == 0)
        for dr in range(-2, 3):
            for dc in range(-2, 3):
                ring = max(abs(dr), abs(dc))
                self._set(ALIGNMENT_CENTRE + dr, ALIGNMENT_CENTRE + dc, ring != 1)
        self._format()
        self.positions, self.masked = [], []
        for row, col in self._zigzag():
            self.positions.append(row * SIDE + col)
            self.masked.append(col % 3 == 0)  # mask pattern 2

    def _set(self, row: int, col: int, dark: bool) -> None:
        self.template[row * SIDE + col] = DARK if dark else LIGHT
        self.reserved[row * SIDE + col] = 1

    def _finder(self, top: int, left: int) -> None:
        """The 7x7 finder pattern and its light separator."""
        for dr in range(-1, 8):
            for dc in range(-1, 8):
                row, col = top + dr, left + dc
                if 0 <= row < SIDE and 0 <= col < SIDE:
                    ring = max(abs(dr - 3), abs(dc - 3))
                    self._set(row, col, ring in (0, 1, 3))

    def _format(self) -> None:
        """Level and mask, with their BCH check bits, beside the finders; and the dark module."""
        bits = FORMAT << 10
        for shift in range(4, -1, -1):
            if bits & (1 << (shift + 10)):
                bits ^= 0x537 << shift
        bits = ((FORMAT << 10) | bits) ^ 0x5412
        for i in range(15):
            dark = bool(bits >> i & 1)
            row = i if i < 6 else i + 1 if i < 8 else SIDE - 15 + i
            self._set(row, 8, dark)
            col = SIDE - i - 1 if i < 8 else 15 - i if i < 9 else 14 - i
            self._set(8, col, dark)
        self._set(SIDE - 8, 8, True)

    def _zigzag(self):
        """Free modules in placement order: column pairs from the right, up then down."""
        upward = True
        col = SIDE - 1
        while col > 0:
            if col == 6:  # the vertical timing pattern
                col -= 1
            for row in range(SIDE - 1, -1, -1) if upward else range(SIDE):
                for c in (col, col - 1):
                    if not self.reserved[row * SIDE + c]:
                        yield row, c
            upward = not upward
            col -= 2


# Made at import: in the fork server, before it forks the workers.
_GENERATOR_PRODUCTS = _generator_products()
_LAYOUT = _Layout()
