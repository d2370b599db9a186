/**
 * A problem the person starting the lab can fix. The launcher prints only its message (one line, with the fix),
 * never a stack trace.
 */
export class LabSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabSetupError';
  }
}
