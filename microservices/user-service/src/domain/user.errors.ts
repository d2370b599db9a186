import { AppError } from '@checkout-lab/kit';

export const userErrors = {
  emailTaken: () => new AppError({ status: 409, code: 'EMAIL_TAKEN', message: 'An account with this email exists' }),
  invalidCredentials: () =>
    new AppError({ status: 401, code: 'INVALID_CREDENTIALS', message: 'The email or the password is wrong' }),
  userGone: () => new AppError({ status: 401, code: 'UNAUTHORIZED', message: 'The account of this token is gone' }),
  notFound: () => new AppError({ status: 404, code: 'USER_NOT_FOUND', message: 'No user has this id' }),
};
