import { MemoryStore } from '../../../server/storage/MemoryStore.ts';
import { abstractStoreTests } from './abstractStore.ts';

abstractStoreTests('MemoryStore', () => ({ open: async () => new MemoryStore() }));
