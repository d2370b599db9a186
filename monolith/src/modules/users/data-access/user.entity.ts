import { EntitySchema } from 'typeorm';

export interface UserRow {
  id: number;
  email: string;
  password_hash: string;
  full_name: string;
  is_admin: boolean;
  created_at: Date;
}

// EntitySchema instead of decorators: tsx/esbuild emit no decorator metadata, so every column type is spelled out.
export const UserEntity = new EntitySchema<UserRow>({
  name: 'User',
  tableName: 'users',
  columns: {
    id: { type: 'int', primary: true, generated: 'increment' },
    email: { type: 'varchar', length: 255, unique: true },
    password_hash: { type: 'varchar', length: 255 },
    full_name: { type: 'varchar', length: 255 },
    is_admin: { type: 'boolean', default: false },
    created_at: { type: 'timestamptz', createDate: true },
  },
});
