/**
 * Copy-on-write clones (btrfs, xfs with reflink=1, and other file systems with FICLONE): the restored
 * file shares the snapshot's extents, so copying it costs no data write and no disk space.
 *
 * The clone goes from file descriptor to file descriptor: the source the hashing copy has already
 * opened (O_NOFOLLOW, fstat'ed as a regular file) and the target it has already created (O_EXCL,
 * O_NOFOLLOW), each named by its /proc/self/fd magic link, which resolves to the open file itself and
 * never to whatever the snapshot's path names now. Node has no ioctl: copyFile with
 * COPYFILE_FICLONE_FORCE reopens both links and clones, or fails; on failure it unlinks its
 * destination, which for a /proc/self/fd name is refused by the kernel, so the target is kept.
 */
import { constants, copyFileSync, ftruncateSync } from 'node:fs';

/** Per restore: whether to try cloning. The first refusal stops the attempts, so a file system
 * without clones (ext4, tmpfs, another mount) costs one failed call per restore, not one a file. */
export class Reflinks {
  private refusedWith: string | undefined;
  private clonedFiles = 0;
  private failedAttempts = 0;

  get cloned(): number {
    return this.clonedFiles;
  }

  /** Clone calls that failed: never more than one a restore. */
  get failed(): number {
    return this.failedAttempts;
  }

  /** Why clones are no longer tried in this restore (an errno code), once one was refused. */
  get refused(): string | undefined {
    return this.refusedWith;
  }

  /** Clones the open regular file `sourceFd` into the open, empty `targetFd`; false when it was not. */
  clone(sourceFd: number, targetFd: number): boolean {
    if (this.refusedWith !== undefined) return false;
    try {
      copyFileSync(`/proc/self/fd/${sourceFd}`, `/proc/self/fd/${targetFd}`, constants.COPYFILE_FICLONE_FORCE);
      this.clonedFiles++;
      return true;
    } catch (err) {
      this.failedAttempts++;
      this.refusedWith = (err as NodeJS.ErrnoException).code ?? 'an unknown error';
      ftruncateSync(targetFd, 0); // the copy that follows starts from an empty file whatever the failure left
      return false;
    }
  }
}
