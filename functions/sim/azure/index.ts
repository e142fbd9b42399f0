import type { SimService } from '../server.js';
import { createArmService } from './arm.js';
import { createGraphService } from './graph.js';
import type { AzureEstateState } from './state.js';

export { createAzureEstateState, addAzureSeed, seedFromFinding, AzureEstateSeedSchema } from './state.js';
export type { AzureEstateState, AzureEstateSeed } from './state.js';

/** The Azure wire protocols of the simulated estate, over one shared state. */
export function createAzureSimServices(state: AzureEstateState): SimService[] {
  return [createArmService(state), createGraphService(state)];
}
