export declare const ROOT: string;
export declare const STAMP: string;
export declare function newestSource(root?: string): number;
export declare function bundleIsCurrent(root?: string): boolean;
