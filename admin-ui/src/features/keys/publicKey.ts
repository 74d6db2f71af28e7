// Client-side checks of an OpenSSH public key line before it is sent; the server parses the key
// itself and answers with the reason when it is not valid.

export const KEY_TYPES = [
  'ssh-ed25519', 'ssh-rsa', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com', 'sk-ecdsa-sha2-nistp256@openssh.com',
];

export interface ParsedKey {
  type: string;
  data: string;
  comment: string;
}

export function parsePublicKey(line: string): ParsedKey | null {
  const parts = line.trim().split(/\s+/);
  if (parts.length < 2) return null;
  const [type, data, ...comment] = parts;
  return { type, data, comment: comment.join(' ') };
}

export function looksLikePublicKey(line: string): boolean {
  const key = parsePublicKey(line);
  return key !== null && KEY_TYPES.includes(key.type) && /^[A-Za-z0-9+/]+={0,2}$/.test(key.data) && key.data.length >= 60;
}

/** What is wrong with a pasted key, in words; null when it looks right. */
export function publicKeyProblem(text: string): string | null {
  const trimmed = text.trim();
  if (!trimmed) return 'paste a public key, or choose a .pub file';
  if (/PRIVATE KEY/.test(trimmed)) return 'this is a private key: never share it; paste the .pub file’s line instead';
  if (/\r?\n/.test(trimmed)) return 'give one key, on a single line';
  const key = parsePublicKey(trimmed);
  if (!key) return "a key line looks like 'ssh-ed25519 AAAAC3Nz... comment'";
  if (key.type === 'ssh-dss') return 'DSA keys are refused as weak: use an ed25519, ecdsa or rsa key';
  if (!KEY_TYPES.includes(key.type)) return `'${key.type}' is not a supported key type: use ${KEY_TYPES.slice(0, 3).join(', ')}, …`;
  if (!looksLikePublicKey(trimmed)) return 'the key data is not valid base64: was it cut or wrapped when copied?';
  return null;
}
