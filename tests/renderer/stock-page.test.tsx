import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { storeIdByCode, viewerOf } from '../helpers/core';
import { inProcessApi, type InProcessApi } from './in-process-api';
import { logIn, renderApp } from './render-app';

let world: InProcessApi;
beforeEach(async () => {
  world = await inProcessApi();
});
afterEach(() => world.core.close());

const VIEWER = { userName: 'viewer', password: 'just looking 123' };

const lineCodes = () =>
  within(screen.getByRole('grid', { name: 'Stock lines' }))
    .getAllByRole('row')
    .slice(1)
    .map((row) => within(row).getAllByRole('gridcell')[0]!.textContent);

async function openStock() {
  await viewerOf(world.core);
  const rendered = renderApp(world);
  await logIn(rendered.user, VIEWER);
  await rendered.user.click(screen.getByRole('button', { name: 'Stock' }));
  await screen.findByRole('heading', { name: 'Stock' });
  return rendered;
}

test('lists the stores active on this site and their stock lines', async () => {
  const { user } = await openStock();
  const store = screen.getByLabelText('Store');
  expect(
    within(store)
      .getAllByRole('option')
      .map((o) => o.textContent),
  ).toEqual(['Kamo Regional Warehouse (KamoRW)', 'Opua Health Centre (Opua)', 'Tamaki Central Medical Store (Tamaki)']);
  await waitFor(() => expect(lineCodes()).toEqual(['AMOX500', 'GLOVE-M', 'ORS', 'PARA500']));
  await user.selectOptions(store, 'Opua Health Centre (Opua)');
  await waitFor(() => expect(screen.getByRole('row', { name: /AMOX500/ })).toHaveTextContent('20'));
  expect(screen.getByText('4 stock lines')).toBeInTheDocument();
});

test('any logged-in user adds, changes and deletes a line; each change is what the datafile holds', async () => {
  const { user } = await openStock();
  await waitFor(() => expect(lineCodes()).toHaveLength(4));
  const kamo = storeIdByCode(world.core, 'KamoRW');

  await user.type(screen.getByLabelText('Item code'), 'ZINC');
  await user.type(screen.getByLabelText('Item name'), 'Zinc 20mg tablets');
  await user.clear(screen.getByLabelText('Quantity'));
  await user.type(screen.getByLabelText('Quantity'), '120');
  await user.click(screen.getByRole('button', { name: 'Add line' }));
  await waitFor(() => expect(lineCodes()).toEqual(['AMOX500', 'GLOVE-M', 'ORS', 'PARA500', 'ZINC']));
  const zinc = world.core.stock.listLines({ storeId: kamo }).lines.find((l) => l.itemCode === 'ZINC')!;
  expect(zinc).toMatchObject({ itemName: 'Zinc 20mg tablets', quantity: 120 });

  await user.click(screen.getByRole('row', { name: /ORS/ }));
  expect(screen.getByLabelText('Item code')).toHaveValue('ORS');
  await user.clear(screen.getByLabelText('Quantity'));
  await user.type(screen.getByLabelText('Quantity'), '7.5');
  await user.click(screen.getByRole('button', { name: 'Save changes' }));
  await waitFor(() => expect(screen.getByRole('row', { name: /ORS/ })).toHaveTextContent('7.5'));
  expect(world.core.stock.listLines({ storeId: kamo }).lines.find((l) => l.itemCode === 'ORS')!.quantity).toBe(7.5);

  await user.click(screen.getByRole('row', { name: /GLOVE-M/ }));
  await user.click(screen.getByRole('button', { name: 'Delete line' }));
  await waitFor(() => expect(lineCodes()).toEqual(['AMOX500', 'ORS', 'PARA500', 'ZINC']));
  expect(world.core.stock.listLines({ storeId: kamo }).lines.map((l) => l.itemCode)).toEqual(['AMOX500', 'ORS', 'PARA500', 'ZINC']);
});

test('a line that is not valid is refused in words next to the field, and nothing is saved', async () => {
  const { user } = await openStock();
  await waitFor(() => expect(lineCodes()).toHaveLength(4));
  await user.type(screen.getByLabelText('Item name'), 'No code');
  await user.click(screen.getByRole('button', { name: 'Add line' }));
  expect(await screen.findByText('Item code is required.')).toBeInTheDocument();
  expect(screen.getByLabelText('Item code')).toHaveAttribute('aria-invalid', 'true');
  await user.type(screen.getByLabelText('Item code'), 'NEG');
  await user.clear(screen.getByLabelText('Quantity'));
  await user.click(screen.getByRole('button', { name: 'Add line' }));
  expect(await screen.findByText('Quantity must be a number.')).toBeInTheDocument();
  fireEvent.change(screen.getByLabelText('Quantity'), { target: { value: '-3' } });
  await user.click(screen.getByRole('button', { name: 'Add line' }));
  expect(await screen.findByText('Quantity cannot be negative.')).toBeInTheDocument();
  expect(world.core.stock.listLines({ storeId: storeIdByCode(world.core, 'KamoRW') }).lines).toHaveLength(4);
});
