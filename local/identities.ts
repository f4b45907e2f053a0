/** ODS codes the local hub signs its own messages with, and of its ops staff (sample codes). */
export const LOCAL_HUB_ODS = 'Z9HUB1';
export const LOCAL_OPS_ODS = 'Z9OPS1';
