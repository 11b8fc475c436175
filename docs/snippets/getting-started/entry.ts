// #region reflect-metadata
import 'reflect-metadata';
// #endregion reflect-metadata
