import { describe, expect, it } from 'vitest';
import { parsePublicKey, publicKeyProblem } from './publicKey';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl partner laptop';

describe('publicKeyProblem', () => {
  it('accepts an OpenSSH public key line with a comment', () => {
    expect(publicKeyProblem(KEY)).toBeNull();
    expect(publicKeyProblem(`  ${KEY}\n`)).toBeNull();
    expect(parsePublicKey(KEY)).toEqual({ type: 'ssh-ed25519', data: KEY.split(' ')[1], comment: 'partner laptop' });
  });

  it('explains what is wrong', () => {
    expect(publicKeyProblem('')).toMatch(/paste a public key/);
    expect(publicKeyProblem('-----BEGIN OPENSSH PRIVATE KEY-----\nabc')).toMatch(/private key/);
    expect(publicKeyProblem(`${KEY}\n${KEY}`)).toMatch(/single line/);
    expect(publicKeyProblem('ssh-dss AAAAB3NzaC1kc3MAAACBA')).toMatch(/DSA/);
    expect(publicKeyProblem('pgp-key AAAA')).toMatch(/not a supported key type/);
    expect(publicKeyProblem('ssh-ed25519 not*base64!')).toMatch(/base64/);
    expect(publicKeyProblem('ssh-ed25519')).toMatch(/looks like/);
  });
});
