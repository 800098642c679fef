/**
 * Who may use the `/_emulator` admin surface: loopback clients only, unless the emulator was
 * started with `adminPublic` (`hubrun emulator --admin-public`). The admin surface has no auth
 * (it rewrites faults, quota, apps and the drive), so an emulator listening on `0.0.0.0` must
 * not hand it to its whole network by accident.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** Whether `address` (a socket's remote address) is a loopback address: 127.0.0.0/8, `::1`, or either mapped into IPv6. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const bare = address.toLowerCase().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  if (isIPv4(bare)) return bare.startsWith('127.');
  if (!isIPv6(bare)) return false;
  return /^(0{0,4}:){7}0{0,3}1$|^::(0{0,4}:)*0{0,3}1$/.test(bare);
}

/**
 * Why an admin request from `remoteAddress` is refused, or null when it may proceed: it comes from
 * loopback, or the admin surface is public.
 */
export function adminRefusal(remoteAddress: string | undefined, adminPublic: boolean): string | null {
  if (adminPublic || isLoopbackAddress(remoteAddress)) return null;
  return (
    `the /_emulator admin surface answers loopback clients only, not ${remoteAddress ?? 'an unknown address'}; ` +
    'start the emulator with adminPublic: true (hubrun emulator --admin-public) to open it to other addresses'
  );
}
