import { AppError } from './http';

/** The gateway's answer on /api/lab/fixes: 404 NOT_APPLICABLE, the fixes repair the monolith's one transaction. */
export function fixesNotApplicable(): AppError {
  return new AppError({
    status: 404,
    code: 'NOT_APPLICABLE',
    message: 'The fixes are the monolith’s: the microservices have no one long transaction to repair',
  });
}
