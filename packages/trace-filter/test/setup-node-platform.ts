import { setFilterPlatform } from "../src/platform.js";
import { nodePlatform } from "../src/node/platform.js";

setFilterPlatform(nodePlatform);
